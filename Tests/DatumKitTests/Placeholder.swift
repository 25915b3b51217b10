import Testing

@Test func placeholderDatumKitTests() {}
