print("audit-demo")
