import Testing
@testable import TriageKit

/// The webhook catalogue (Rules/catalogue/webhooks.yaml): products found by webhook name, Service
/// name and API group; the pod port picked by Service name and by a version in the text; several
/// candidate ports named as candidates, never one guessed; the Service port never taken for the
/// pods' port.
struct WebhookCatalogueTests {
    let catalogue = WebhookCatalogue.builtIn

    @Test func theCatalogueLoadsAndEveryEntryIsUsable() throws {
        #expect(catalogue.products.count >= 20)
        for product in catalogue.products {
            #expect(!product.ports.isEmpty, "\(product.product)")
            #expect(!(product.webhooks.isEmpty && product.services.isEmpty && product.serviceSuffixes.isEmpty), "\(product.product)")
            #expect(!product.source.isEmpty, "\(product.product) names no source")
            for range in product.ports {
                if let from = range.from, let until = range.until {
                    #expect(WebhookCatalogue.PortRange.compare(from, until) < 0, "\(product.product) \(range.versions)")
                }
            }
        }
        // Each webhook name suffix belongs to one product, so the order of entries decides nothing.
        var owners: [String: String] = [:]
        for product in catalogue.products {
            for suffix in product.webhooks {
                #expect(owners[suffix] == nil, "\(suffix): \(owners[suffix] ?? "") and \(product.product)")
                owners[suffix] = product.product
            }
        }
    }

    @Test func aBrokenCatalogueNamesTheEntry() {
        #expect(throws: TriageError.self) { try WebhookCatalogue.parse("products:\n  - product: x\n", file: "c.yaml") }
        #expect(throws: TriageError.self) {
            try WebhookCatalogue.parse("products:\n  - product: x\n    ports: [{versions: all, port: 70000}]\n", file: "c.yaml")
        }
        #expect(throws: TriageError.self) { try WebhookCatalogue.parse("- a\n", file: "c.yaml") }
    }

    @Test(arguments: [
        // (webhook, service, namespace, text, port or nil, candidate ports)
        ("sidecar-injector.istio.io", "istiod", "istio-system", "", 15017, [15017]),
        ("sidecar-injector.istio.io", "istiod-1-8-1", "istio-system", "", 15017, [15017]),
        ("sidecar-injector.istio.io", "istio-sidecar-injector", "istio-system", "", nil, [9443, 443]),
        ("sidecar-injector.istio.io", "istio-sidecar-injector", "istio-system", "image: docker.io/istio/proxyv2:1.4.0", 9443, [9443]),
        ("validation.istio.io", "istio-galley", "istio-system", "istio/galley:1.1.7", 443, [443]),
        ("webhook.cert-manager.io", "cert-manager-webhook", "cert-manager", "", nil, [10250, 6443]),
        ("webhook.cert-manager.io", "cert-manager-webhook", "cert-manager", "quay.io/jetstack/cert-manager-webhook:v1.13.2", 10250, [10250]),
        ("webhook.cert-manager.io", "cert-manager-webhook", "cert-manager", "jetstack/cert-manager-webhook:v0.11.0", 6443, [6443]),
        ("default.podmonitorings.gmp-operator.gmp-system.monitoring.googleapis.com", "gmp-operator", "gmp-system",
         "https://raw.githubusercontent.com/GoogleCloudPlatform/prometheus-engine/v0.3.1/examples/pod-monitoring.yaml", 8443, [8443]),
        ("default.podmonitorings.gmp-operator.gmp-system.monitoring.googleapis.com", "gmp-operator", "gmp-system",
         "gke.gcr.io/prometheus-engine/operator:v0.13.1-gke.0", 10250, [10250]),
        ("maerospikecluster.kb.io", "aerospike-operator-webhook-service", "aerospike-test", "", 9443, [9443]),
        ("validation.gatekeeper.sh", "gatekeeper-webhook-service", "gatekeeper-system", "", 8443, [8443]),
        // A version in the text that no range holds leaves every candidate.
        ("webhook.cert-manager.io", "cert-manager-webhook", "cert-manager", "cert-manager vNext", nil, [10250, 6443]),
    ] as [(String, String, String, String, Int?, [Int])])
    func portByServiceAndVersion(
        webhook: String, service: String, namespace: String, text: String, port: Int?, candidates: [Int]
    ) throws {
        let resolution = try #require(catalogue.resolve(webhook: webhook, service: service, namespace: namespace, text: text))
        #expect(resolution.port == port)
        #expect(resolution.candidates.map(\.port) == candidates)
    }

    @Test func serviceNamesAndGroupsFindTheProduct() {
        // `webhook` is Knative's Service only in knative-serving.
        #expect(catalogue.product(webhook: nil, service: "webhook", namespace: "knative-serving")?.product == "Knative Serving")
        #expect(catalogue.product(webhook: nil, service: "webhook", namespace: "default") == nil)
        #expect(catalogue.product(webhook: nil, service: "my-operator-webhook-service", namespace: "x")?.ports.first?.port == 9443)
        #expect(catalogue.product(webhook: nil, service: nil, namespace: nil, apiGroup: "networking.istio.io")?.product == "Istio")
        #expect(catalogue.product(webhook: nil, service: nil, namespace: nil, apiGroup: "apps") == nil)
        #expect(catalogue.product(webhook: "istio.io.example.com", service: nil, namespace: nil) == nil)
    }

    /// An unknown webhook behind a Service on 443: the port stays unknown (the old code reported 443
    /// as the pods' port); the command that shows it is given.
    @Test func theServicePortIsNeverThePodPort() throws {
        let text = #"Internal error occurred: failed calling webhook "check.acme.example.com": failed to call webhook: Post "https://acme-admission.acme.svc:443/check?timeout=10s": context deadline exceeded"#
        let facts = try #require(WebhookMessage.recognize(text)?.first)
        #expect(facts["port"] == nil)
        #expect(facts["service_port"] == "443")
        #expect(facts["port_unknown"] == "true")
        #expect(facts["confirm"] == "kubectl get endpoints -n acme acme-admission -o 'jsonpath={.subsets[*].ports[*].port}'")
        // The dialled port, when the error has it, is exact and not marked inferred.
        let dialled = text.replacingOccurrences(of: "context deadline exceeded", with: "dial tcp 10.20.1.14:8443: i/o timeout")
        let exact = try #require(WebhookMessage.recognize(dialled)?.first)
        #expect(exact["port"] == "8443")
        #expect(exact["port_inferred"] == nil)
    }

    /// A timeout (or 504) on a write to a group a known webhook owns is that webhook's failure.
    @Test func aTimeoutOnAnOwnedAPIGroupIsTheWebhooks() throws {
        let gateway = #"Error from server: error when creating "gw.yaml": the server responded with the status code 504 but did not return more information (post gateways.networking.istio.io)"#
        let facts = try #require(RequestTimeoutMessage.recognize(gateway)?.first)
        #expect(facts["message"] == "webhook-call-failed")
        #expect(facts["api_group"] == "networking.istio.io")
        #expect(facts["product"] == "Istio")
        #expect(facts["port_candidates"] == "tcp:15017 (1.5 and later, istiod), tcp:9443 (1.3 to 1.4, galley and sidecar injector), tcp:443 (1.2 and earlier, galley and sidecar injector)")
        #expect(facts["confirm"] == "kubectl get endpoints -n istio-system")
        let plain = #"Error from server (Timeout): error when creating "notebook.yaml": Timeout: request did not complete within requested timeout - context deadline exceeded"#
        #expect(RequestTimeoutMessage.recognize(plain)?.first?["message"] == "request-timeout")
        let core = #"the server responded with the status code 504 but did not return more information (post pods)"#
        #expect(RequestTimeoutMessage.recognize(core)?.first?["message"] == "request-timeout")
    }
}
