print("datumctl-sandbox")
