/** The parser ships no types: what test/support/exposition.ts uses of it. */
declare module "parse-prometheus-text-format" {
  interface ParsedFamily {
    name: string;
    help: string;
    type: string;
    metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }[];
  }
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
