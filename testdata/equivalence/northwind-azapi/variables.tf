variable "prefix" {
  type        = string
  description = "Name prefix of every resource."
}

variable "short" {
  type    = string
  default = "nw"
}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "device_ranges" {
  type    = list(string)
  default = []
}
