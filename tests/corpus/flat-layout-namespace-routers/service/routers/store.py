LEVELS = {"apple": 12, "pear": 0}
