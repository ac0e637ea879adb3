# production
env = prod
