// A virtual table: only the rows in view (and a few around them) exist in the page, each
// placed at its offset, so 10,000 events cost what 30 rows cost. A row can be expanded to
// show a detail below it; expanded rows are measured and the offsets of the rows after
// them move down.
"use strict";

(function () {
  const ASL = window.ASL;
  const h = ASL.h;

  class VirtualTable {
    /**
     * @param {object} options
     *   columns: [{label, cls}] — the header;
     *   rowHeight: pixels of a row (CSS `.vt-row` has the same);
     *   cells(i): the cells of row i (strings or nodes), one per column but the last;
     *   detail(i): the node shown when row i is expanded;
     *   label: what the table is, for assistive technology.
     */
    constructor(options) {
      this.options = options;
      this.rowHeight = options.rowHeight || 30;
      this.count = 0;
      this.extra = new Map(); // expanded row index → height of its detail (0 until measured)
      this.live = new Map(); // rendered row index → element
      this.body = h("div", { class: "vt-body", role: "rowgroup" });
      this.head = h("div", { class: "vt-head", role: "row" },
        options.columns.map((c) => h("div", { role: "columnheader", class: c.cls || "" }, c.label)));
      this.el = h("div", { class: "vt", role: "table", "aria-label": options.label || "Table", "aria-rowcount": "0", tabindex: "0" },
        this.head, this.body);
      let pending = false;
      this.el.addEventListener("scroll", () => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          this.render();
        });
      });
    }

    /** The offset of row i from the top of the body. */
    offset(i) {
      let y = i * this.rowHeight;
      for (const [j, height] of this.extra) if (j < i) y += height;
      return y;
    }

    /** The row at offset y (binary search over offsets). */
    indexAt(y) {
      let lo = 0;
      let hi = Math.max(0, this.count - 1);
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.offset(mid) <= y) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    }

    total() {
      return this.offset(this.count);
    }

    /** Says how many rows there are (rows are only ever added) and redraws what shows. */
    setCount(count) {
      this.count = count;
      this.el.setAttribute("aria-rowcount", String(count + 1));
      this.body.style.height = this.total() + "px";
      this.render(true);
    }

    /** Forgets every drawn row (the cells changed), then draws again. */
    refresh() {
      for (const el of this.live.values()) el.remove();
      this.live.clear();
      this.render();
    }

    render(countChanged) {
      if (!this.count) {
        if (!this.empty) this.empty = h("div", { class: "vt-empty" }, this.options.empty || "Nothing yet.");
        if (!this.empty.isConnected) this.body.append(this.empty);
        return;
      }
      if (this.empty) this.empty.remove();
      const top = Math.max(0, this.el.scrollTop - this.head.offsetHeight);
      const height = this.el.clientHeight || 460;
      const first = Math.max(0, this.indexAt(top) - 8);
      const last = Math.min(this.count - 1, this.indexAt(top + height) + 8);
      const keep = new Map();
      for (let i = first; i <= last; i++) {
        let row = this.live.get(i);
        if (!row) {
          row = this.row(i);
          this.body.append(row);
        }
        row.style.top = this.offset(i) + "px";
        keep.set(i, row);
      }
      for (const [i, row] of this.live) if (!keep.has(i)) row.remove();
      this.live = keep;
      if (countChanged && this.onRender) this.onRender();
      this.measure();
    }

    row(i) {
      const expanded = this.extra.has(i);
      const toggle = h("button", { type: "button", class: "link", "aria-expanded": expanded ? "true" : "false" }, expanded ? "Hide" : "Show");
      toggle.addEventListener("click", () => this.toggle(i));
      const cells = this.options.cells(i).map((cell) => h("div", { role: "cell" }, cell));
      const line = h("div", { class: "vt-row", role: "row", "aria-rowindex": String(i + 2) }, cells, h("div", { role: "cell" }, toggle));
      const item = h("div", { class: "vt-item", style: "position:absolute;left:0;right:0", dataset: { index: String(i) } }, line);
      if (expanded) item.append(h("div", { class: "vt-detail" }, this.options.detail(i)));
      return item;
    }

    /** Measures the details in view; moves rows if one changed height. */
    measure() {
      let moved = false;
      for (const [i, row] of this.live) {
        const detail = row.querySelector(".vt-detail");
        if (!detail) continue;
        const height = detail.offsetHeight;
        if (height && this.extra.get(i) !== height) {
          this.extra.set(i, height);
          moved = true;
        }
      }
      if (moved) {
        this.body.style.height = this.total() + "px";
        for (const [i, row] of this.live) row.style.top = this.offset(i) + "px";
      }
    }

    toggle(i) {
      if (this.extra.has(i)) this.extra.delete(i);
      else this.extra.set(i, 0);
      const old = this.live.get(i);
      const focused = old && old.contains(document.activeElement);
      if (old) old.remove();
      this.live.delete(i);
      this.body.style.height = this.total() + "px";
      this.render();
      if (focused) {
        const button = this.live.get(i) && this.live.get(i).querySelector("button");
        if (button) button.focus();
      }
    }

    /** Scrolls row i into view, expands it if asked, and marks it for a moment. */
    show(i, expand) {
      if (i < 0 || i >= this.count) return;
      if (expand && !this.extra.has(i)) this.toggle(i);
      this.el.scrollTop = Math.max(0, this.offset(i) - this.rowHeight * 2);
      this.render();
      const row = this.live.get(i);
      if (row) {
        const line = row.querySelector(".vt-row");
        line.classList.add("flash");
        setTimeout(() => line.classList.remove("flash"), 1600);
        const button = row.querySelector("button");
        if (button) button.focus({ preventScroll: true });
      }
    }
  }

  ASL.VirtualTable = VirtualTable;
})();
