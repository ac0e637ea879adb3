name = "kv-prod"
network = {
