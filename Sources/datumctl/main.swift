print("datumctl")
