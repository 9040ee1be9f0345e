import { AppError, type FileInfo, type Media } from "@talk/contracts";
import { type FileFinding, attachedFileIds, markFileDeleted, withFiles } from "./file-medias";

const file: FileInfo = {
  id: "3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c",
  customer_id: "5e4a0680-804e-11ec-8477-2fea5968d85b",
  owner_id: "eb1ac5c0-ff63-47e2-bcdb-5da9c336eb4b",
  name: "plan.pdf",
  content_type: "application/pdf",
  size: 4821,
  sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  tm_create: "2024-01-17 10:45:00.000000",
  tm_delete: "9999-01-01 00:00:00.000000",
};
const link: Media = { type: "link", link: "https://example.com/" };
const finding = (state: FileFinding["state"]) => (): FileFinding => ({
  state,
  ...(state === "ready" ? { file } : {}),
});

function refusal(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError)
      return { status: error.status, reason: error.reason, message: error.message };
    throw error;
  }
  throw new Error("not refused");
}

describe("a message's file medias", () => {
  it("name each file once", () => {
    const media: Media = { type: "file", file_id: file.id };
    expect(attachedFileIds([media, link, media])).toEqual([file.id]);
    expect(attachedFileIds(undefined)).toEqual([]);
  });

  it("show the file's name, content type and size, not what the client sent", () => {
    const sent: Media[] = [link, { type: "file", file_id: file.id, name: "x.exe", size: 1, deleted: true }];
    expect(withFiles(sent, finding("ready"))).toEqual([
      link,
      { type: "file", file_id: file.id, name: "plan.pdf", content_type: "application/pdf", size: 4821 },
    ]);
  });

  it.each([
    ["missing", "MEDIA_FILE_NOT_FOUND"],
    ["deleted", "MEDIA_FILE_DELETED"],
    ["uploading", "MEDIA_FILE_UPLOADING"],
  ] as const)("are refused with a 400 naming the media when the file is %s", (state, reason) => {
    const sent: Media[] = [link, { type: "file", file_id: file.id }];
    expect(refusal(() => withFiles(sent, finding(state)))).toEqual({
      status: "INVALID_ARGUMENT",
      reason,
      message: expect.stringMatching(/^medias\[1\]: .*3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c/),
    });
  });

  it("are refused when file-manager said nothing of the file", () => {
    expect(refusal(() => withFiles([{ type: "file", file_id: file.id }], () => undefined)).reason).toBe(
      "MEDIA_FILE_NOT_FOUND",
    );
  });

  it("kept by an edit stay as the message had them, deleted ones too", () => {
    const stored: Media = { type: "file", file_id: file.id, name: "plan.pdf", size: 4821, deleted: true };
    expect(withFiles([{ type: "file", file_id: file.id }], finding("deleted"), [stored])).toEqual([stored]);
  });

  it("are marked deleted once the file is; marking again changes nothing", () => {
    const medias: Media[] = [link, { type: "file", file_id: file.id, name: "plan.pdf" }];
    const marked = markFileDeleted(medias, file.id);
    expect(marked).toEqual([link, { type: "file", file_id: file.id, name: "plan.pdf", deleted: true }]);
    expect(markFileDeleted(marked ?? [], file.id)).toBeUndefined();
    expect(markFileDeleted(medias, "another")).toBeUndefined();
  });
});
