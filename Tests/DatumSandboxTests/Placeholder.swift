import Testing

@Test func placeholderDatumSandboxTests() {}
