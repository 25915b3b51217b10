import Testing

@testable import DatumCLI

@Suite struct ProjectScopeTests {
    @Test func projectAndNamesAreOnePathSegmentEach() {
        let scope = ProjectScope(server: "https://h", project: "a/b c")
        #expect(scope.baseURL == "https://h/apis/resourcemanager.miloapis.com/v1alpha1/projects/a%2Fb%20c/control-plane")
        #expect(ProjectScope.escapePathSegment("my-policy.v1_~") == "my-policy.v1_~")
        #expect(ProjectScope.escapePathSegment("a:b@c+d") == "a:b@c+d")
        #expect(ProjectScope.escapePathSegment("ü?#%") == "%C3%BC%3F%23%25")
    }

    @Test func queryValuesKeepOnlyUnreservedCharacters() {
        #expect(ProjectScope.escapeQuery("app=web,tier!=db") == "app%3Dweb%2Ctier%21%3Ddb")
        #expect(ProjectScope.escapeQuery("é ~x") == "%C3%A9%20~x")
    }

    @Test func userAgentNamesTheVersionAndPlatform() {
        #expect(ProjectClient.userAgent.hasPrefix("datumctl/\(Datumctl.version) (linux/"))
        #expect(ProjectClient.userAgent.hasSuffix(")"))
    }
}
