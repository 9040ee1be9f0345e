/**
 * Renders a kustomization offline, for the tests, in the subset of kustomize that Talk's
 * kustomizations use: `resources` (files and folders), `components`, `namespace`, `images` and
 * JSON 6902 `patches` with a kind/name target. A field outside that subset fails the render, so the
 * overlays stay within what is checked; where kubectl is installed, the manifest tests also compare
 * this rendering with `kubectl kustomize`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { type K8sObject, ROOT, parseYamlFile } from "./k8s";

interface Kustomization {
  apiVersion?: string;
  kind?: "Kustomization" | "Component";
  namespace?: string;
  resources?: string[];
  components?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

const KNOWN = new Set(["apiVersion", "kind", "namespace", "resources", "components", "images", "patches"]);

export interface Rendered {
  /** Where each object came from (a file relative to the repository root). */
  objects: { file: string; object: K8sObject }[];
}

export function readKustomization(dir: string): Kustomization {
  const file = join(dir, "kustomization.yaml");
  if (!existsSync(file)) throw new Error(`${relative(ROOT, dir)} has no kustomization.yaml`);
  const k = parse(readFileSync(file, "utf8")) as Kustomization;
  const unknown = Object.keys(k).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0)
    throw new Error(`${relative(ROOT, file)}: ${unknown.join(", ")} is outside the subset the tests render`);
  return k;
}

export function kustomize(dir: string): K8sObject[] {
  return render(dir).objects.map((o) => o.object);
}

export function render(dir: string): Rendered {
  const k = readKustomization(dir);
  const objects: Rendered["objects"] = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    if (existsSync(join(path, "kustomization.yaml"))) objects.push(...render(path).objects);
    else
      for (const object of parseYamlFile(path) as K8sObject[])
        if (object) objects.push({ file: relative(ROOT, path), object: structuredClone(object) });
  }
  for (const component of k.components ?? []) {
    const path = join(dir, component);
    const c = readKustomization(path);
    if (c.kind !== "Component") throw new Error(`${relative(ROOT, path)} is not a kind: Component`);
    objects.push(...render(path).objects);
    applyPatches(objects, c.patches ?? [], path);
  }
  if (k.namespace)
    for (const { object } of objects)
      if (object.kind !== "Namespace") object.metadata.namespace = k.namespace;
  for (const image of k.images ?? []) for (const { object } of objects) setImage(object, image);
  if (k.kind !== "Component") applyPatches(objects, k.patches ?? [], dir);
  return { objects };
}

function setImage(object: K8sObject, image: NonNullable<Kustomization["images"]>[number]): void {
  const pod = object.spec?.template?.spec;
  for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    const [name, tag] = String(c.image).split(":");
    if (name === image.name) c.image = `${image.newName ?? name}:${image.newTag ?? tag}`;
  }
}

type Operation = { op: "add" | "replace" | "remove"; path: string; value?: unknown };

function applyPatches(
  objects: Rendered["objects"],
  patches: Kustomization["patches"] & {},
  dir: string,
): void {
  for (const { target, patch } of patches) {
    const matched = objects.filter(
      ({ object }) => object.kind === target.kind && object.metadata.name === target.name,
    );
    if (matched.length !== 1)
      throw new Error(
        `${relative(ROOT, dir)}: patch target ${target.kind}/${target.name} matches ${matched.length} objects`,
      );
    for (const operation of parse(patch) as Operation[]) applyOperation(matched[0]!.object, operation, dir);
  }
}

/** One JSON 6902 operation (add, replace, remove) at a JSON Pointer. */
function applyOperation(object: K8sObject, { op, path, value }: Operation, dir: string): void {
  const keys = path
    .split("/")
    .slice(1)
    .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
  const last = keys.pop()!;
  let parent: any = object;
  for (const key of keys) {
    parent = Array.isArray(parent) ? parent[Number(key)] : parent?.[key];
    if (parent === undefined) throw new Error(`${relative(ROOT, dir)}: ${path} does not exist`);
  }
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (op === "add") parent.splice(index, 0, value);
    else if (index >= parent.length) throw new Error(`${relative(ROOT, dir)}: ${path} does not exist`);
    else if (op === "replace") parent[index] = value;
    else parent.splice(index, 1);
    return;
  }
  if (op !== "add" && !(last in parent)) throw new Error(`${relative(ROOT, dir)}: ${path} does not exist`);
  if (op === "remove") delete parent[last];
  else parent[last] = value;
}
