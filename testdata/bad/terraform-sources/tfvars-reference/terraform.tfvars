env = var.other
