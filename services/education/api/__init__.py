BLUEPRINTS: list = []
