# the environment
env = upper("prod")
