import Testing

@Test func placeholderDatumHTTPTests() {}
