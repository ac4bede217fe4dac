import Testing
@testable import TriageKit

/// Harness prefixes come off; a line's own header does not.
struct LinePrefixTests {
    @Test(arguments: [
        // kubetest (kubernetes#69663).
        ("W1107 09:45:44.065]  name: u'operation-1'", " name: u'operation-1'"),
        // terraform 0.9–0.11's TF_LOG (terraform#15601).
        ("2017/07/20 12:03:11 [DEBUG] plugin: terraform:   \"status\": \"DONE\",", "  \"status\": \"DONE\","),
        // terraform 0.12's (terraform-provider-google#4305).
        ("2019-08-21T11:10:44.905Z [DEBUG] plugin.terraform-provider-google_v2.10.0_x4: {", "{"),
        // terraform ≥ 0.15's, then the provider's own Go log prefix.
        ("2021-06-01T12:00:00.123+0100 [DEBUG] provider.terraform-provider-google_v3.70.0_x5: 2021/06/01 12:00:00 [DEBUG] Waiting for state",
         "Waiting for state"),
        // GitHub Actions' raw log.
        ("2023-02-01T03:12:34.5742284Z Error: googleapi: Error 403: denied", "Error: googleapi: Error 403: denied"),
        // Cloud Build, with and without a step id.
        ("Step #2 - \"deploy\": Unable to connect to the server: dial tcp 172.16.0.2:443: i/o timeout",
         "Unable to connect to the server: dial tcp 172.16.0.2:443: i/o timeout"),
        ("Step #0: Events:", "Events:"),
        // Jenkins' timestamper.
        ("11:01:36 Error from server (InternalError): failed calling webhook", "Error from server (InternalError): failed calling webhook"),
        // …with two spaces and a terraform box (tgke#939, terraform-provider-google#15579), or milliseconds.
        ("12:54:03  │ Error: Error waiting for updating GKE node pool version", "│ Error: Error waiting for updating GKE node pool version"),
        ("19:21:44.120 ERROR: (gcloud.container.clusters.create) Operation [<Operation", "ERROR: (gcloud.container.clusters.create) Operation [<Operation"),
        // Buildkite's and Jenkins' bracketed time.
        ("[2021-07-01T17:54:30Z]  name: u'operation-1'", " name: u'operation-1'"),
        ("[2020-01-23T00:50:00.464Z] Unable to connect to the server", "Unable to connect to the server"),
    ])
    func harnessPrefixesComeOff(_ line: String, _ expected: String) {
        #expect(LinePrefix.stripped(line) == expected)
    }

    @Test(arguments: [
        // klog's header names the component: it stays.
        "E1107 09:45:44.065123   12345 memcache.go:287] couldn't get resource list",
        // A terraform line at a warning or error level keeps its level word.
        "2019-08-21T11:10:44.905Z [ERROR] plugin.terraform-provider-google_v2.10.0_x4: failed",
        // A Go log line with no terraform prefix before it is the line's own.
        "2017/07/20 12:03:11 [DEBUG] something",
        // Not quite a shape: six fraction digits are not GitHub's; a column of times is data.
        "2023-02-01T03:12:34.574228Z Error: x",
        "11:01:36   three spaces: a column",
        "[2021-07-01 17:54:30] no T: not this shape",
        "[2021-07-01T17:54:30Z]no space after",
        "Step #x: not a step",
        "",
        "W",
    ])
    func otherLinesStayWhole(_ line: String) {
        #expect(LinePrefix.stripped(line) == line)
    }
}
