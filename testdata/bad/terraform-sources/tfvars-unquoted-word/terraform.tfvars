env = prod
