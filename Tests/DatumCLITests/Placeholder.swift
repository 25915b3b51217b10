import Testing

@Test func placeholderDatumCLITests() {}
