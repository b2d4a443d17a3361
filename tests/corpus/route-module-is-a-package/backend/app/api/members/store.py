MEMBERS = {1: "Ada", 2: "Grace"}
