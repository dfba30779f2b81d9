// Reports the first paint as the app does: two frames, the first scheduled before paint and the
// second run after it.
requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI__.core.invoke("ui_painted").catch(() => {})));
