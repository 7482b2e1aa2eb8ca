// A tiny element builder. Everything read from the chain (prompts, names) goes in as text
// nodes, never as HTML.

/**
 * h('div', { class: 'card', dataset: { cid } }, child, 'text', [more, children])
 * Attributes: `class`, `dataset` (object), `style` (string), `on<Event>` (function), others
 * set with setAttribute; null/undefined/false attributes and children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const svg = SVG_TAGS.has(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

const SVG_TAGS = new Set(['svg', 'g', 'line', 'polyline', 'path', 'circle', 'rect', 'text', 'title', 'tspan']);

/** Replaces an element's children. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}
