/**
 * Every `/metrics` of a stack (the embedded process, or each process of the distributed stack) is
 * a valid Prometheus exposition, read by a real parser, after traffic has filled it.
 */
import { waitFor } from "@talk/testkit";
import { expositionProblems, promtool, promtoolProblems } from "../support/exposition";
import { type TestStack, newCustomer } from "../support/stacks";

export function describeMetrics(name: string, current: () => TestStack): void {
  describe(`metrics (${name})`, () => {
    const tool = promtool();
    if (!tool)
      console.warn(
        "promtool is not installed: /metrics is checked with parse-prometheus-text-format and the text format's rules only (.ci/run brings promtool from Debian's prometheus package)",
      );

    const scrapeAll = async (stack: TestStack) =>
      Promise.all(
        stack.metricsUrls.map(async (url) => {
          const res = await fetch(url);
          expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
          return { url, text: await res.text() };
        }),
      );

    it("serves one valid exposition per endpoint, each family once, after a send", async () => {
      const stack = current();
      const { agents } = await newCustomer(stack, 2);
      const [alice, bob] = agents as [(typeof agents)[0], (typeof agents)[0]];
      const chat = await alice.api.post("/service_agents/talk_chats", {
        type: "direct",
        participants: [{ owner_type: "agent", owner_id: bob.id }],
      });
      const sent = await alice.api.post("/service_agents/talk_messages", {
        chat_id: chat.body.id,
        type: "normal",
        text: "counted",
      });
      expect(sent.status).toBe(200);
      // The gateway has counted the send (its timer ends as the response finishes).
      const scrapes = await waitFor(async () => {
        const all = await scrapeAll(stack);
        const counted = all.some(({ text }) =>
          /^talk_http_request_duration_seconds_count\{[^}]*talk_messages[^}]*\} [1-9]/m.test(text),
        );
        return counted ? all : undefined;
      });
      for (const { url, text } of scrapes) {
        const { problems, families } = expositionProblems(text);
        expect([url, problems]).toEqual([url, []]);
        expect(families.length).toBeGreaterThan(5);
        if (tool) expect([url, promtoolProblems(tool, text)]).toEqual([url, []]);
      }
      // Embedded: every service's samples in one document, told apart by their `service` label.
      if (name === "embedded") {
        const text = scrapes[0]!.text;
        for (const service of ["api-gateway", "chat-manager", "message-manager", "push"])
          expect(text).toContain(`service="${service}"`);
      }
    });

    it("would refuse the concatenated registries of several services (the check is not blind)", () => {
      const one = '# HELP talk_x x\n# TYPE talk_x gauge\ntalk_x{service="a"} 1\n';
      const two = one.replace('"a"', '"b"');
      expect(expositionProblems(one + two).problems).toEqual([
        'line 4: second HELP line for metric name "talk_x"',
        'line 5: second TYPE line for metric name "talk_x"',
      ]);
      if (tool) expect(promtoolProblems(tool, one + two).join("\n")).toMatch(/second HELP line/);
    });
  });
}
