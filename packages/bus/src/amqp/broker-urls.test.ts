import { brokerUrls } from "./broker-urls";

describe("brokerUrls", () => {
  const url = "amqp://talk:secret@rabbit:5672/talk?heartbeat=5";

  it("is the URL alone when no node is listed", () => {
    expect(brokerUrls(url)).toEqual([url]);
    expect(brokerUrls(url, " ")).toEqual([url]);
  });

  it("gives every listed node the URL's credentials, vhost and options", () => {
    expect(brokerUrls(url, "rabbit-0:5672, rabbit-1:5673,10.0.0.3")).toEqual([
      "amqp://talk:secret@rabbit-0:5672/talk?heartbeat=5",
      "amqp://talk:secret@rabbit-1:5673/talk?heartbeat=5",
      "amqp://talk:secret@10.0.0.3/talk?heartbeat=5",
    ]);
  });

  it("refuses a node that is not host:port", () => {
    expect(() => brokerUrls(url, "rabbit-0:notaport")).toThrow();
  });
});
