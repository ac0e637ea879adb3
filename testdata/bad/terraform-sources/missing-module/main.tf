module "storage" {
  source = "./modules/storage"
  name   = "stdata"
}
