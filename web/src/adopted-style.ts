/**
 * A stand-in for the `<style>` elements @xterm/xterm creates (scripts/build-dashboard.mjs puts a call
 * to this in place of each `createElement("style")`). The daemon's Content-Security-Policy blocks the
 * text of a `<style>` element (`style-src 'self'`, no 'unsafe-inline'); a stylesheet built through
 * CSSOM and adopted by the document is not inline markup, so the policy lets it apply. xterm only
 * appends the element, sets its `textContent`, and removes it: those three are what this keeps.
 */
export function adoptedStyleElement(): HTMLElement {
  // A <template> is never rendered and its content is inert: it only gives xterm something to append.
  const element = document.createElement('template');
  const sheet = new CSSStyleSheet();
  let text = '';
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  Object.defineProperty(element, 'textContent', {
    get: () => text,
    set: (value: string | null) => {
      text = value ?? '';
      sheet.replaceSync(text);
    },
  });
  element.remove = () => {
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
    Element.prototype.remove.call(element);
  };
  return element;
}
