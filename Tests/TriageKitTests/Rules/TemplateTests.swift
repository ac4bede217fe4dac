import Foundation
import Testing
import Yams
@testable import TriageKit

struct TemplateTests {
    @Test func findsPlaceholders() {
        let template = Template("{count} connections to {dst.port} from {src.ranges} ({denied_by_1})")
        #expect(template.fields == ["count", "dst.port", "src.ranges", "denied_by_1"])
    }

    @Test func braceTextThatIsNotAPlaceholderStays() {
        let template = Template("json {} and {not a field} and {a-b} and {unclosed and }")
        #expect(template.fields.isEmpty)
        #expect(template.render { _ in "X" } == "json {} and {not a field} and {a-b} and {unclosed and }")
    }

    @Test func rendersKnownValues() {
        let values = ["count": "3", "dst.port": "8443"]
        #expect(Template("{count} to {dst.port}.").render { values[$0] } == "3 to 8443.")
    }

    @Test func unknownAndEmptyValuesShowTheirName() {
        let values = ["empty": ""]
        let rendered = Template("--tag={node_tag} --net={network} --x={empty} --p={fix.priority}").render { values[$0] }
        #expect(rendered == "--tag=<NODE_TAG> --net=<NETWORK> --x=<EMPTY> --p=<FIX_PRIORITY>")
    }

    @Test(arguments: [
        "gke-kf-private-3f9a6c2e-node", "172.16.0.0/28", "10.20.0.0/14,10.32.0.0/16", "tcp:8443", "kf-prod-4412",
        "user@example.com", "a=b", "50%", "x+y", "1000",
    ])
    func safeWordsAreNotQuoted(value: String) {
        #expect(Template("{v}").render({ _ in value }, forShell: true) == value)
    }

    @Test(arguments: [
        ("$(rm -rf /)", "'$(rm -rf /)'"),
        ("it's", "'it'\\''s'"),
        ("two words", "'two words'"),
        ("a;b", "'a;b'"),
        ("`id`", "'`id`'"),
        ("a|b", "'a|b'"),
        ("x > y", "'x > y'"),
        ("café", "'café'"),
        ("*", "'*'"),
        ("~root", "'~root'"),
        ("line\nbreak", "'line\nbreak'"),
        ("'", "''\\'''"),
    ])
    func unsafeValuesAreSingleQuoted(value: String, expected: String) {
        #expect(Template("--name={v}").render({ _ in value }, forShell: true) == "--name=" + expected)
        // Text outside placeholders is the rule author's and stays as written.
        #expect(Template("echo '{v}' $HOME").render({ _ in "ok" }, forShell: true) == "echo 'ok' $HOME")
        // Not for the shell: unchanged.
        #expect(Template("{v}").render { _ in value } == value)
    }

    /// The shell itself reads each quoted value back as the original word, and runs nothing.
    @Test func shellReadsQuotedValuesBackVerbatim() throws {
        let directory = try TemporaryDirectory()
        let marker = directory.path("pwned")
        let values = [
            "$(touch \(marker))", "`touch \(marker)`", "x; touch \(marker)", "it's", "a'b'c", "\"double\"", "$HOME",
            "back\\slash", "tab\there", "new\nline", "*", "{a,b}", "café 日本", "-rf", "!!", "a && touch \(marker)",
        ]
        for value in values {
            let command = Template("printf '%s' {v}").render({ _ in value }, forShell: true)
            let output = try shell(command, in: directory.url)
            #expect(output == value, "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}

/// Values filled into Config Connector manifests stay one YAML scalar each.
struct TemplateYAMLTests {
    static func fill(_ value: String) -> String { Template("key: {v}").render({ _ in value }, quoting: .yaml) }

    @Test(arguments: [
        ("kubeflow-vpc", "key: kubeflow-vpc"), ("172.16.0.0/28", "key: 172.16.0.0/28"), ("1000", "key: 1000"),
        ("10.20.0.0/14,10.32.0.0/16", "key: 10.20.0.0/14, 10.32.0.0/16"), ("gcr.io.", "key: gcr.io."),
        ("yes", "key: \"yes\""), ("a: b", "key: \"a: b\""), ("-dash", "key: \"-dash\""),
        ("say \"hi\"\n", "key: \"say \\\"hi\\\"\\x0A\""), ("#comment", "key: \"#comment\""),
    ])
    func quotesOnlyWhatYAMLWouldMisread(_ value: String, _ expected: String) throws {
        #expect(Self.fill(value) == expected)
    }

    /// Whatever the value, YAML reads back the string that went in (lists as their items).
    @Test(arguments: ["kubeflow-vpc", "yes", "a: b", "x\ty", "[1, 2]", "{a}", "'q'", "null", "~", "*.gcr.io.", "é"])
    func roundTrips(_ value: String) throws {
        let loaded = try Yams.load(yaml: Self.fill(value)) as? [String: Any]
        #expect(loaded?["key"] as? String == value, "\(Self.fill(value))")
    }

    @Test func unknownValuesStayVisible() {
        #expect(Template("priority: {fix.priority}").render({ _ in nil }, quoting: .yaml) == "priority: <FIX_PRIORITY>")
    }
}

/// Where a value lands in a command decides how it is written; plain values read as before.
struct TemplateShellContextTests {
    static func fill(_ template: String, _ value: String?) -> String {
        Template(template).render({ _ in value }, quoting: .shell)
    }

    @Test func plainValuesStayBareInEveryContext() {
        #expect(Self.fill("--network={v}", "kubeflow-vpc") == "--network=kubeflow-vpc")
        #expect(Self.fill("--filter=\"network~{v|regex|filter} AND direction=EGRESS\"", "kubeflow-vpc")
            == "--filter=\"network~kubeflow-vpc AND direction=EGRESS\"")
        #expect(Self.fill("gcloud logging read 'id=\"{v|logfilter}\"'", "5nKQ8") == "gcloud logging read 'id=\"5nKQ8\"'")
        #expect(Self.fill("create '*.{v}'", "gcr.io.") == "create '*.gcr.io.'")
    }

    @Test func valuesNeverCloseTheTemplatesQuotes() {
        #expect(Self.fill("--filter=\"network~{v|regex|filter} AND x\"", "vpc$(touch X)")
            == "--filter=\"network~\"'\"vpc\\\\$[(]touch X[)]\"'\" AND x\"")
        #expect(Self.fill("read 'id=\"{v|logfilter}\"'", "a'b\"c") == "read 'id=\"a'\\''b\\\"c\"'")
        #expect(Self.fill("describe \"{v}\"", "$(id)") == "describe \"\"'$(id)'\"\"")
    }

    @Test func unknownValuesCannotRedirectWhenPasted() {
        #expect(Self.fill("--project={v}", nil) == "--project='<V>'")
        #expect(Self.fill("--filter=\"region:{v|filter}\"", nil) == "--filter=\"region:<V>\"")
    }

    @Test func shellCommandQuotesEachWordOnce() {
        let command = ShellCommand("gcloud compute firewall-rules describe").adding(.value("a b", [])).adding(flag: "project", "kf")
            .adding(redirect: "out.json")
        #expect(command.rendered == "gcloud compute firewall-rules describe 'a b' --project=kf > out.json")
        #expect(command.arguments == [["gcloud", "compute", "firewall-rules", "describe", "a b", "--project=kf"]])
    }
}

/// Prose agrees with the count before it; values are never changed.
struct ProseAgreementTests {
    @Test func theTemplatesWordsAgreeWithTheCount() {
        let template = Template("{count} times; {count} time(s); {count} connections denied: {error}")
        let one = template.render({ ["count": "1", "error": "3 times 1 times"][$0] }, quoting: .prose)
        #expect(one == "1 time; 1 time; 1 connection denied: 3 times 1 times")
        let three = template.render({ ["count": "3", "error": "x"][$0] }, quoting: .prose)
        #expect(three == "3 times; 3 times; 3 connections denied: x")
        // Commands are not prose: a value and the words after it stay as written.
        #expect(Template("--max={count} times").render({ _ in "1" }, quoting: .shell) == "--max=1 times")
    }
}

/// A phrase for a value the evidence did not give is not a quotation.
struct ProseGapTests {
    @Test func aQuotedGapLosesItsQuotes() {
        let template = Template(#"Pool {node_pool} is {status}: "{status_message}". Cause "{cause}"."#)
        let gap = template.render({ ["node_pool": "gpu", "status": "ERROR"][$0] }, quoting: .prose)
        #expect(gap == "Pool gpu is ERROR: no status message. Cause the cause.")
        let given = template.render({ ["node_pool": "gpu", "status": "ERROR", "status_message": "out of quota", "cause": "q"][$0] }, quoting: .prose)
        #expect(given == #"Pool gpu is ERROR: "out of quota". Cause "q"."#)
        // Commands keep their quotes around the gap to fill.
        #expect(Template(#"--filter="name={cause}""#).render({ _ in nil }, quoting: .none) == #"--filter="name=<CAUSE>""#)
    }
}
