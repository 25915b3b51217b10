import Testing

@Test func placeholderDatumYAMLTests() {}
