#!/usr/bin/env python3
"""Prints non-test Rust lines per crate, and the share src-tauri holds (the adapter must stay
under 10 %). Test code is left out: `tests/` folders, `tests.rs` / `*/tests.rs` files, and
everything from a top-level `#[cfg(test)]` to the end of a file."""
import pathlib, sys

root = pathlib.Path(__file__).resolve().parent.parent
counts, longest = {}, []
for path in sorted(root.glob("**/*.rs")):
    rel = path.relative_to(root)
    parts = rel.parts
    if parts[0] in ("target", "tests") or "node_modules" in parts or "tests" in parts[1:-1] or path.name == "tests.rs":
        continue
    if not ("src" in parts or path.name == "build.rs"):
        continue
    lines = path.read_text().splitlines()
    n = next((i for i, l in enumerate(lines) if l.startswith("#[cfg(test)]")), len(lines))
    crate = "src-tauri" if parts[0] == "src-tauri" else "/".join(parts[:2])
    counts[crate] = counts.get(crate, 0) + n
    longest.append((len(lines), str(rel)))
total = sum(counts.values())
for crate, n in sorted(counts.items()):
    print(f"{crate:24} {n:6}")
print(f"{'total':24} {total:6}")
print(f"src-tauri share: {100 * counts.get('src-tauri', 0) / total:.1f} %")
longest.sort(reverse=True)
print("longest files (all lines):", ", ".join(f"{p} {n}" for n, p in longest[:4]))
sys.exit(0)
