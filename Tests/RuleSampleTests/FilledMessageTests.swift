import Foundation
import Testing
@testable import TriageKit

/// Every finding a rule's samples give reads as prose: no `<PLACEHOLDER>` left where a value was
/// unknown in its title, message, why or notes. An unknown value is phrased ("the aggregated API
/// named in the error"), never printed as a tag. (Commands may still hold quoted '<NAME>' gaps
/// for the user to fill.)
struct FilledMessageTests {
    /// `<API>`, `<VPCSC_ID>`, `<DEFAULT_ROUTE_NEXT_HOP>`: what `Template.gap` writes for an unknown value.
    static func gaps(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            let name = after.prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
            if !name.isEmpty, name.first!.isUppercase, after.dropFirst(name.count).first == ">" { found.append("<\(name)>") }
            rest = after
        }
        return found
    }

    @Test func theGapFinderFindsTemplateGaps() {
        let rendered = Template("{type} of {target} failed: {quota_requested} < {quota_limit}").render { _ in nil }
        #expect(Self.gaps(in: rendered) == ["<TYPE>", "<TARGET>", "<QUOTA_REQUESTED>", "<QUOTA_LIMIT>"])
        #expect(Self.gaps(in: "a < b and <html> and <A-B>").isEmpty)
    }

    @Test(arguments: RuleSampleTests.rules.map(\.id))
    func everySampleFindingIsFilled(_ id: String) throws {
        let rule = try #require(RuleSampleTests.rules.first { $0.id == id })
        for sample in rule.samples.trigger {
            let analysis = try SampleRunner.run(sample, format: .ndjson, rules: RuleSampleTests.rules)
            for finding in analysis.findings {
                let prose = [("title", finding.title), ("message", finding.message), ("why", finding.remedy.why)]
                    + finding.remedy.notes.map { ("note", $0) }
                for (field, text) in prose {
                    let gaps = Self.gaps(in: text)
                    #expect(gaps.isEmpty, "\(finding.rule) (sample '\(sample.name)' of \(id)) \(field) holds \(gaps): \(text)")
                }
            }
        }
    }
}
