/**
 * A small element builder for the panels: text goes in as text nodes, never as HTML, so
 * whatever the Guest says (a death reason, a program's name) cannot become markup.
 */

/** Attributes of {@link el}: `class`, `data-*`, `title` and the like. */
export type Attributes = Readonly<Record<string, string>>;

/** One child of {@link el}: an element, or text. */
export type Child = Node | string;

/** A new `tag` element with `attrs` and `children` (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attributes = {}, children: readonly Child[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

/** Replace everything inside `parent` with `children`. */
export function fill(parent: Element, children: readonly Child[]): void {
  parent.replaceChildren(...children);
}
