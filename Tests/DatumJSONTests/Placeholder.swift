import Testing

@Test func placeholderDatumJSONTests() {}
