import Foundation
import StoremonCore
import Glibc
import Testing

@Suite("A real Prometheus scrapes storemon export")
struct PrometheusIntegrationTests {
    /// Asks Prometheus' HTTP API for an instant query; returns the result vector.
    func query(_ port: UInt16, _ promql: String) -> [[String: Any]]? {
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promql
        guard let response = HTTP.request(port: port, "/api/v1/query?query=\(encoded)"), response.status == 200,
              let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              json["status"] as? String == "success",
              let data = json["data"] as? [String: Any] else { return nil }
        return data["result"] as? [[String: Any]]
    }

    /// The single value of an instant query, or nil when there is none yet.
    func value(_ port: UInt16, _ promql: String) -> Double? {
        guard let result = query(port, promql), result.count == 1,
              let pair = result[0]["value"] as? [Any], pair.count == 2, let text = pair[1] as? String else { return nil }
        return Double(text)
    }

    @Test("a private prometheus scrapes the real fixtures at 1 s; exim_queue_messages reads back as exim -bpc's count")
    func scrapeAndQuery() throws {
        let tools = try PrometheusTools.paths()
        let dir = try ExportSupport.temporaryDirectory("prometheus")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixtures = ExportSupport.fixtures
        let bpc = Double(try String(contentsOfFile: fixtures + "/queue/bpc.txt", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))!

        // The exporter, on a port of its own choosing.
        let exporter = try ExportSupport.start([ExportSupport.storemon, "export", fixtures + "/log/mainlog", "--spool", fixtures + "/spool",
                                                "--listen", "127.0.0.1:0", "--interval", "1"], directory: dir)
        defer { exporter.stop() }
        let exporterPort = try #require(servedPort(exporter), "\(exporter.stderr)")

        // Prometheus, with its own storage, address and configuration.
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: storemon
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: ['127.0.0.1:\(exporterPort)']
            """
        try config.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let promPort = ExportSupport.freePort()
        let prometheus = try ExportSupport.start([tools.prometheus, "--config.file=\(dir)/prometheus.yml",
                                                  "--storage.tsdb.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(promPort)",
                                                  "--log.level=warn"], directory: dir)
        defer { prometheus.stop(SIGTERM, timeout: 15) }
        #expect(ExportSupport.waitFor(seconds: 30) { HTTP.request(port: promPort, "/-/ready")?.status == 200 }, "\(prometheus.stderr)")

        // Wait for a scrape that carried the queue.
        var messages: Double?
        ExportSupport.waitFor(seconds: 30) {
            messages = value(promPort, "exim_queue_messages{job=\"storemon\"}")
            return messages != nil
        }
        #expect(messages == bpc, "\(prometheus.stderr)")
        #expect(value(promPort, "up{job=\"storemon\"}") == 1)
        // Prometheus asked for OpenMetrics (its default Accept): the counters came through by their sample names.
        #expect(value(promPort, "exim_log_lines_total") == 413)
        #expect(value(promPort, "sum(exim_log_flag_lines_total)") != nil)
        #expect(query(promPort, "storemon_pool_bytes")?.count == 10)
        #expect(value(promPort, "storemon_refresh_seconds_count") ?? 0 >= 1)
        #expect(value(promPort, "count(storemon_build_info)") == 1)

        #expect(prometheus.stop(SIGTERM, timeout: 15)?.code == 0)
        #expect(exporter.stop(SIGTERM)?.code == 0)
    }
}
