prefix        = "northwind"
device_ranges = ["40.0.0.0/8"]
