/**
 * A message's text as basic Markdown (bold, italic, strikethrough, code, code blocks, quotes,
 * lists, links) with mentions, built as Preact elements from marked's tokens. Nothing here ever
 * becomes HTML: raw HTML in a message is shown as the text it is, and only http(s) and mailto
 * links become links, so a message cannot run script or load anything.
 */
import { Lexer, type Token, type Tokens } from "marked";
import type { ComponentChildren } from "preact";
import { splitMentions } from "../model/mentions";

export interface Mentions {
  myId: string;
  nameOf: (agentId: string) => string;
}

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

export function MessageText({ text, mentions }: { text: string; mentions: Mentions }) {
  const tokens = Lexer.lex(text, { gfm: true, breaks: true });
  return <div class="text">{blocks(tokens, mentions)}</div>;
}

function blocks(tokens: Token[], m: Mentions): ComponentChildren[] {
  return tokens.map((token, i) => block(token, m, i));
}

function block(token: Token, m: Mentions, key: number): ComponentChildren {
  switch (token.type) {
    case "space":
    case "def":
      return null;
    case "paragraph":
    case "heading":
      return <p key={key}>{inline((token as Tokens.Paragraph).tokens, m)}</p>;
    case "code":
      return (
        <pre key={key}>
          <code>{(token as Tokens.Code).text}</code>
        </pre>
      );
    case "blockquote":
      return <blockquote key={key}>{blocks((token as Tokens.Blockquote).tokens, m)}</blockquote>;
    case "list": {
      const list = token as Tokens.List;
      const items = list.items.map((item, i) => <li key={i}>{blocks(item.tokens, m)}</li>);
      return list.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
    }
    case "hr":
      return <hr key={key} />;
    case "text": {
      const text = token as Tokens.Text;
      return <span key={key}>{text.tokens ? inline(text.tokens, m) : mentioned(text.text, m)}</span>;
    }
    default:
      // html, tables and anything else: the source, as text
      return <p key={key}>{mentioned(token.raw, m)}</p>;
  }
}

function inline(tokens: Token[] | undefined, m: Mentions): ComponentChildren[] {
  return (tokens ?? []).map((token, key) => {
    switch (token.type) {
      case "strong":
        return <strong key={key}>{inline((token as Tokens.Strong).tokens, m)}</strong>;
      case "em":
        return <em key={key}>{inline((token as Tokens.Em).tokens, m)}</em>;
      case "del":
        return <del key={key}>{inline((token as Tokens.Del).tokens, m)}</del>;
      case "codespan":
        return <code key={key}>{(token as Tokens.Codespan).text}</code>;
      case "br":
        return <br key={key} />;
      case "link": {
        const link = token as Tokens.Link;
        if (!SAFE_LINK.test(link.href)) return <span key={key}>{link.raw}</span>;
        return (
          <a key={key} href={link.href} target="_blank" rel="noopener noreferrer nofollow">
            {inline(link.tokens, m)}
          </a>
        );
      }
      case "text":
      case "escape": {
        const text = token as Tokens.Text;
        return <span key={key}>{text.tokens ? inline(text.tokens, m) : mentioned(text.text, m)}</span>;
      }
      default:
        // html, images (never loaded) and the rest: their source, as text
        return <span key={key}>{mentioned(token.raw, m)}</span>;
    }
  });
}

/** Text with `<@id>` and `<!here>` as mention chips (mine highlighted). */
function mentioned(text: string, { myId, nameOf }: Mentions): ComponentChildren[] {
  return splitMentions(text).map((part, key) =>
    "text" in part ? (
      part.text
    ) : "here" in part ? (
      <span key={key} class="mention mention-me">
        @here
      </span>
    ) : (
      <span key={key} class={`mention${part.mention === myId.toLowerCase() ? " mention-me" : ""}`}>
        @{nameOf(part.mention)}
      </span>
    ),
  );
}
