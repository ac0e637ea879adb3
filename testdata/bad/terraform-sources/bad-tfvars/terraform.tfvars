name = "kv-
