ROSTER = {"red": ["Ada"], "blue": ["Grace"]}
