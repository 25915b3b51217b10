module recorder

go 1.23
