import Foundation
import Testing
@testable import TriageKit

struct FieldPredicateTests {
    private func predicate(_ yaml: String) throws -> FieldPredicate {
        let text = RuleText.make(id: "p", match: "  " + yaml)
        return try #require(try RuleText.rule(text, id: "p").match.first)
    }

    @Test func plainValueAndList() throws {
        let single = try predicate("disposition: DENIED")
        #expect(single.evaluate("DENIED"))
        #expect(single.evaluate("denied"))
        #expect(!single.evaluate("ALLOWED"))
        #expect(!single.evaluate(nil))
        let list = try predicate("dst.role: [node, Pod]")
        #expect(list.evaluate("node"))
        #expect(list.evaluate("pod"))
        #expect(!list.evaluate("service"))
        #expect(!list.evaluate("nodes"))
    }

    @Test func inAndNot() throws {
        let inList = try predicate("dst.port: {in: [443, 10250]}")
        #expect(inList.evaluate("443"))
        #expect(!inList.evaluate("8443"))
        let notList = try predicate("dst.port: {not: [443, 10250]}")
        #expect(notList.evaluate("8443"))
        #expect(!notList.evaluate("10250"))
        #expect(notList.evaluate(nil))  // an absent value is not in the list
        let notOne = try predicate("src.role: {not: internet}")
        #expect(notOne.evaluate("node"))
        #expect(!notOne.evaluate("INTERNET"))
    }

    @Test func range() throws {
        let range = try predicate("dst.port: {range: [30000, 32767]}")
        #expect(range.evaluate("30000"))
        #expect(range.evaluate("32767"))
        #expect(range.evaluate("31000"))
        #expect(!range.evaluate("29999"))
        #expect(!range.evaluate("32768"))
        #expect(!range.evaluate("http"))
        #expect(!range.evaluate(""))
        #expect(!range.evaluate(nil))
    }

    @Test func matches() throws {
        let pattern = try predicate("instance: {matches: '^gke-.*-pool'}")
        #expect(pattern.evaluate("gke-kf-default-pool-1"))
        #expect(pattern.evaluate("GKE-kf-default-POOL-1"))  // case-insensitive
        #expect(!pattern.evaluate("vm-gke-kf-default-pool"))
        #expect(!pattern.evaluate(nil))
    }

    @Test func exists() throws {
        let present = try predicate("denied_by: {exists: true}")
        #expect(present.evaluate("deny-all"))
        #expect(!present.evaluate(""))
        #expect(!present.evaluate(nil))
        let absent = try predicate("denied_by: {exists: false}")
        #expect(absent.evaluate(nil))
        #expect(absent.evaluate(""))
        #expect(!absent.evaluate("deny-all"))
    }

    @Test func predicatesBuiltDirectly() {
        #expect(FieldPredicate(field: "x", test: .anyOf(["a"])).evaluate("A"))
        #expect(!FieldPredicate(field: "x", test: .noneOf(["a"])).evaluate("a"))
        #expect(FieldPredicate(field: "x", test: .range(1, 1)).evaluate("1"))
        #expect(!FieldPredicate(field: "x", test: .range(1, 1)).evaluate(" 1"))
        #expect(FieldPredicate(field: "x", test: .matches("b+")).evaluate("abbbc"))
    }

    @Test func explanationDescribesEachTest() throws {
        let rule = try RuleText.rule(RuleText.make(id: "e", match: """
              disposition: DENIED
              dst.port: {range: [1, 2]}
              src.role: {not: [internet, google]}
              instance: {matches: 'x'}
              denied_by: {exists: false}
            """), id: "e")
        let text = RuleExplanation.text(rule)
        #expect(text.contains("disposition is denied"))
        #expect(text.contains("dst.port is between 1 and 2"))
        #expect(text.contains("src.role is not google, internet"))
        #expect(text.contains("instance matches /x/"))
        #expect(text.contains("denied_by is absent"))
    }
}
