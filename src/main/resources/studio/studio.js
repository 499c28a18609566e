'use strict';
// siac studio: the page over the studio server's API. Every request carries the session token; nothing is loaded
// from anywhere but this server.
(() => {
  const token = document.querySelector('meta[name="siac-token"]').content;
  const W = 1200, H = 252;
  const $ = id => document.getElementById(id);
  const svgNs = 'http://www.w3.org/2000/svg';

  const studio = {
    state: null,        // the server's last answer
    selected: new Set(),
    range: null,        // [from, to) in seconds when the selection is a time range
    playing: null,      // null | 'all' | 'region' | 'event'
    playingEvent: -1,
    mix: null,          // AudioBuffer of the current decode
    mixVersion: -1,
    busy: 0,
    requests: 0,
    errors: 0,
    lastError: '',
  };
  window.siacStudio = studio;

  let ctx = null, source = null, playStart = 0, playOffset = 0, playEnd = 0;

  // ---------------------------------------------------------------------------------------------- server

  async function api(path, options = {}) {
    const headers = Object.assign({'X-Siac-Token': token}, options.headers || {});
    studio.requests++;
    const r = await fetch(path, Object.assign({}, options, {headers, cache: 'no-store'}));
    if (!r.ok) {
      let msg = r.status + ' ' + r.statusText;
      try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return r;
  }

  async function post(path, body) {
    const r = await api(path, {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body || {})});
    return r.json();
  }

  function status(text, error) {
    const s = $('status');
    s.textContent = text;
    s.className = error ? 'error' : '';
    if (error) { studio.errors++; studio.lastError = text; }
  }

  // One thing at a time: an edit is made against the state the previous one left, never against a stale selection.
  let queue = Promise.resolve();
  function run(what, fn) {
    studio.busy++;
    const p = queue.then(async () => {
      try {
        return await fn();
      } catch (e) {
        status(what + ': ' + e.message, true);
        return null;
      } finally {
        studio.busy--;
      }
    });
    queue = p;
    return p;
  }

  function buffer(data) {
    const buf = new AudioBuffer({numberOfChannels: 1, length: Math.max(1, data.length), sampleRate: studio.state.sampleRate});
    if (data.length > 0) buf.copyToChannel(data, 0);
    return buf;
  }

  // ---------------------------------------------------------------------------------------------- drawing

  const x = t => t / studio.state.duration * W;
  const y = bin => H - (bin + 0.5) / studio.state.logBins * H;
  const seconds = e => e.time / studio.state.sampleRate;

  function radius(e) {
    const max = Math.max(1e-9, ...studio.state.events.map(v => v.amplitude));
    return 3 + 7 * Math.sqrt(e.amplitude / max);
  }

  function draw() {
    const s = studio.state;
    $('file-name').textContent = s.name;
    $('stat-count').textContent = s.count;
    $('stat-kbps').textContent = s.kbps.toFixed(2);
    $('stat-bytes').textContent = s.bytes;
    $('stat-duration').textContent = s.duration.toFixed(2);
    $('stat-balance').textContent = 'balance: ' + s.balance;
    $('out-dir').textContent = s.output;
    const quiet = $('silence');
    quiet.querySelectorAll('rect').forEach(r => r.remove());
    s.silence.forEach(([from, to]) => {
      const r = document.createElementNS(svgNs, 'rect');
      r.setAttribute('class', 'silent');
      r.setAttribute('x', x(from / s.sampleRate).toFixed(1));
      r.setAttribute('width', Math.max(1, x(to / s.sampleRate) - x(from / s.sampleRate)).toFixed(1));
      r.setAttribute('y', '0');
      r.setAttribute('height', '252');
      quiet.appendChild(r);
    });
    const g = $('events');
    g.replaceChildren();
    s.events.forEach((e, i) => {
      const c = document.createElementNS(svgNs, 'circle');
      c.setAttribute('class', 'event');
      c.dataset.index = i;
      c.setAttribute('cx', x(seconds(e)).toFixed(1));
      c.setAttribute('cy', y(e.height).toFixed(1));
      c.setAttribute('r', radius(e).toFixed(1));
      c.setAttribute('fill', 'rgba(' + e.rgb.join(',') + ',0.85)');
      g.appendChild(c);
    });
    $('spectrogram').src = 'api/spectrogram.png?v=' + s.version + '&token=' + token;
    const hist = $('history');
    hist.replaceChildren();
    s.history.forEach((h, i) => {
      const li = document.createElement('li');
      li.textContent = h.label + (h.edit ? '  [' + h.edit + ']' : '');
      li.className = i === s.position ? 'current' : i > s.position ? 'undone' : '';
      hist.appendChild(li);
    });
    $('btn-undo').disabled = s.position === 0;
    $('btn-redo').disabled = s.position === s.history.length - 1;
    const axis = $('axis');
    axis.replaceChildren();
    const step = s.duration > 20 ? 5 : s.duration > 5 ? 1 : s.duration > 1 ? 0.25 : 0.1;
    for (let t = 0; t <= s.duration + 1e-9; t += step) {
      const span = document.createElement('span');
      span.style.left = x(t) + 'px';
      span.textContent = (Math.round(t * 100) / 100) + ' s';
      axis.appendChild(span);
    }
    drawSelection();
  }

  function drawSelection() {
    document.querySelectorAll('circle.event').forEach(c => {
      c.classList.toggle('selected', studio.selected.has(+c.dataset.index));
      c.classList.toggle('playing', studio.playing === 'event' && +c.dataset.index === studio.playingEvent);
    });
    $('stat-selected').textContent = studio.selected.size;
    const shade = $('range-shade');
    if (studio.range) {
      shade.classList.remove('hidden');
      shade.setAttribute('x', x(studio.range[0]));
      shade.setAttribute('width', Math.max(1, x(studio.range[1]) - x(studio.range[0])));
    } else {
      shade.classList.add('hidden');
    }
  }

  // ---------------------------------------------------------------------------------------------- state

  async function load(state) {
    studio.state = state;
    for (const i of [...studio.selected]) if (i >= state.count) studio.selected.delete(i);
    draw();
    if (state.version !== studio.mixVersion) await loadMix(state.version);
  }

  async function loadMix(version) {
    const r = await api('api/mix.f32?v=' + version);
    const data = new Float32Array(await r.arrayBuffer());
    const buf = buffer(data);
    studio.mix = buf;
    studio.mixVersion = version;
    // hear the edit at once: a playing mix continues from where it was, with the new audio
    if (studio.playing === 'all' || studio.playing === 'region') {
      const pos = position();
      play(studio.playing, pos, studio.playing === 'all' ? buf.duration : playEnd);
    }
  }

  function audio() {
    if (!ctx) ctx = new AudioContext();
    if (ctx.state === 'suspended') ctx.resume();
    return ctx;
  }

  /** Seconds into the mix of what is playing now (the region or the whole). */
  function position() {
    if (!ctx || !studio.playing) return 0;
    return playOffset + (ctx.currentTime - playStart);
  }
  studio.position = position;

  function stop() {
    if (source) {
      source.onended = null;
      try { source.stop(); } catch (e) { /* already stopped */ }
    }
    source = null;
    studio.playing = null;
    studio.playingEvent = -1;
    $('playhead').classList.add('hidden');
    drawSelection();
  }

  function play(kind, from, to, buffer) {
    stop();
    const c = audio();
    const buf = buffer || studio.mix;
    if (!buf) return;
    const start = Math.max(0, Math.min(from, buf.duration));
    const end = Math.max(start, Math.min(to, buf.duration));
    source = c.createBufferSource();
    source.buffer = buf;
    source.connect(c.destination);
    const mine = source;
    source.onended = () => { if (source === mine) stop(); };
    playStart = c.currentTime;
    playOffset = start;
    playEnd = end;
    source.start(0, start, Math.max(0.001, end - start));
    studio.playing = kind;
    if (kind !== 'event') {
      $('playhead').classList.remove('hidden');
      requestAnimationFrame(tick);
    }
    drawSelection();
  }

  function tick() {
    if (studio.playing !== 'all' && studio.playing !== 'region') return;
    const px = x(position());
    $('playhead').setAttribute('x1', px);
    $('playhead').setAttribute('x2', px);
    requestAnimationFrame(tick);
  }

  async function playEvent(i) {
    const e = studio.state.events[i];
    const r = await api('api/event.f32?i=' + i + '&v=' + studio.state.version);
    const data = new Float32Array(await r.arrayBuffer());
    const buf = buffer(data);
    play('event', 0, buf.duration, buf);
    studio.playingEvent = i;
    drawSelection();
    status('event ' + (i + 1) + ' at ' + seconds(e).toFixed(3) + ' s, amplitude ' + e.amplitude.toPrecision(3));
  }

  function selectionRegion() {
    if (studio.range) return studio.range;
    if (studio.selected.size === 0) return null;
    const times = [...studio.selected].map(i => seconds(studio.state.events[i]));
    const eventSeconds = 2 * studio.state.guard / studio.state.sampleRate;
    return [Math.min(...times), Math.max(...times) + Math.max(0.5, eventSeconds)];
  }

  // ---------------------------------------------------------------------------------------------- edits

  function selectionBody() {
    if (studio.range) return {range: studio.range};
    return {ids: [...studio.selected].sort((a, b) => a - b)};
  }

  async function edit(op, extra, keepSelection) {
    if (studio.selected.size === 0) { status('select events first', true); return; }
    await run(op, async () => {
      const before = studio.state;
      const body = Object.assign({op}, selectionBody(), extra || {});
      const moved = op === 'move' ? [...studio.selected].map(i => before.events[i]) : null;
      const state = await post('api/edit', body);
      if (moved) {
        // the moved events, found again in the re-sorted list
        const delta = Math.round(extra.seconds * before.sampleRate);
        const want = moved.map(e => (e.time + delta) + '/' + e.amplitude);
        studio.selected = new Set();
        state.events.forEach((e, i) => {
          const k = want.indexOf(e.time + '/' + e.amplitude);
          if (k >= 0) { want.splice(k, 1); studio.selected.add(i); }
        });
        studio.range = null;
      } else if (!keepSelection) {
        studio.selected = new Set();
        studio.range = null;
      }
      await load(state);
      status(state.history[state.position].label);
    });
  }

  async function undoRedo(which) {
    await run(which, async () => {
      const state = await post('api/' + which, {});
      studio.selected = new Set();
      studio.range = null;
      await load(state);
      status(which + ': ' + state.history[Math.min(state.position + (which === 'undo' ? 1 : 0), state.history.length - 1)].label);
    });
  }

  const number = id => parseFloat($(id).value);

  const actions = {
    delete: () => edit('delete'),
    duplicate: () => edit('duplicate', {seconds: number('in-offset')}),
    amplitude: f => edit('amplitude', {factor: f === undefined ? number('in-factor') : f}, true),
    perturb: () => edit('perturb', {scale: number('in-scale')}, true),
    randomize: () => edit('randomize', {}, true),
    move: s => edit('move', {seconds: s}),
    undo: () => undoRedo('undo'),
    redo: () => undoRedo('redo'),
    playAll: () => {
      if (studio.playing === 'all' || studio.playing === 'region') stop(); else play('all', 0, studio.mix.duration);
    },
    playRegion: () => {
      const r = selectionRegion();
      if (!r) { status('select events or a time range first', true); return; }
      play('region', r[0], r[1]);
    },
    stop,
    selectAll: () => {
      studio.selected = new Set(studio.state.events.map((e, i) => i));
      studio.range = null;
      drawSelection();
    },
    selectRange: (from, to) => {
      studio.range = [from, to];
      studio.selected = new Set();
      const sr = studio.state.sampleRate;
      const a = Math.round(from * sr), b = Math.round(to * sr);
      studio.state.events.forEach((e, i) => { if (e.time >= a && e.time < b) studio.selected.add(i); });
      drawSelection();
    },
    clear: () => { studio.selected = new Set(); studio.range = null; drawSelection(); },
    save: () => run('save', async () => {
      const state = await post('api/save', {name: $('in-save-name').value});
      await load(state);
      status('saved ' + state.saved);
    }),
    exportWav: () => run('export', async () => {
      const state = await post('api/export', {name: $('in-wav-name').value});
      await load(state);
      status('wrote ' + state.saved);
    }),
    transplant: () => run('paste', async () => {
      const f = $('in-file').files[0];
      if (!f) throw new Error('choose a .siac file first');
      const q = new URLSearchParams({name: f.name, from: $('in-from').value || '0', to: $('in-to').value,
        at: $('in-at').value || '0'});
      const r = await api('api/transplant?' + q, {method: 'POST', body: await f.arrayBuffer(),
        headers: {'Content-Type': 'application/octet-stream'}});
      const state = await r.json();
      studio.selected = new Set();
      studio.range = null;
      await load(state);
      status(state.history[state.position].label);
    }),
  };
  studio.actions = actions;

  // ---------------------------------------------------------------------------------------------- mouse

  const marks = $('marks');
  let gesture = null;

  function local(ev) {
    const r = marks.getBoundingClientRect();
    return [ev.clientX - r.left, ev.clientY - r.top];
  }

  marks.addEventListener('mousedown', ev => {
    if (ev.button !== 0 || !studio.state) return;
    const [px, py] = local(ev);
    const target = ev.target.closest('circle.event');
    if (target) {
      const i = +target.dataset.index;
      if (ev.shiftKey) {
        if (studio.selected.has(i)) studio.selected.delete(i); else studio.selected.add(i);
        studio.range = null;
      } else if (!studio.selected.has(i)) {
        studio.selected = new Set([i]);
        studio.range = null;
      }
      drawSelection();
      gesture = {kind: 'mark', index: i, x0: px, y0: py, moved: false};
    } else {
      gesture = {kind: 'box', x0: px, y0: py, moved: false};
    }
    ev.preventDefault();
  });

  window.addEventListener('mousemove', ev => {
    if (!studio.state) return;
    const [px, py] = local(ev);
    const target = ev.target.closest && ev.target.closest('circle.event');
    const tip = $('tooltip');
    if (target && !gesture) {
      const i = +target.dataset.index, e = studio.state.events[i];
      tip.textContent = 'Event ' + (i + 1) + ': ' + seconds(e).toFixed(3) + ' s, amplitude ' + e.amplitude.toPrecision(3);
      tip.style.left = (px + 12) + 'px';
      tip.style.top = (py + 8) + 'px';
      tip.classList.remove('hidden');
    } else {
      tip.classList.add('hidden');
    }
    if (!gesture) return;
    if (Math.abs(px - gesture.x0) > 3 || Math.abs(py - gesture.y0) > 3) gesture.moved = true;
    if (!gesture.moved) return;
    if (gesture.kind === 'mark') {
      const dx = px - gesture.x0;
      document.querySelectorAll('circle.event.selected').forEach(c => c.setAttribute('transform', 'translate(' + dx + ',0)'));
    } else if (gesture.kind === 'box') {
      const b = $('box');
      b.classList.remove('hidden');
      b.setAttribute('x', Math.min(px, gesture.x0));
      b.setAttribute('y', Math.min(py, gesture.y0));
      b.setAttribute('width', Math.abs(px - gesture.x0));
      b.setAttribute('height', Math.abs(py - gesture.y0));
    } else if (gesture.kind === 'ruler') {
      const a = Math.max(0, Math.min(W, Math.min(px, gesture.x0))), b = Math.max(0, Math.min(W, Math.max(px, gesture.x0)));
      const t = v => Math.round(v / W * studio.state.duration * 1000) / 1000;
      actions.selectRange(t(a), t(b));
    }
  });

  window.addEventListener('mouseup', ev => {
    if (!gesture || !studio.state) return;
    const g = gesture;
    gesture = null;
    const [px, py] = local(ev);
    $('box').classList.add('hidden');
    if (g.kind === 'mark') {
      if (g.moved) {
        const dx = px - g.x0;
        const secondsMoved = Math.round(dx / W * studio.state.duration * 1000) / 1000;
        if (secondsMoved !== 0) actions.move(secondsMoved); else draw();
      } else {
        run('play', () => playEvent(g.index));
      }
    } else if (g.kind === 'box') {
      if (!g.moved) { actions.clear(); return; }
      const x0 = Math.min(px, g.x0), x1 = Math.max(px, g.x0), y0 = Math.min(py, g.y0), y1 = Math.max(py, g.y0);
      if (!ev.shiftKey) studio.selected = new Set();
      studio.range = null;
      document.querySelectorAll('circle.event').forEach(c => {
        const cx = +c.getAttribute('cx'), cy = +c.getAttribute('cy');
        if (cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1) studio.selected.add(+c.dataset.index);
      });
      drawSelection();
    }
  });

  $('ruler').addEventListener('mousedown', ev => {
    if (ev.button !== 0 || !studio.state) return;
    const [px, py] = local(ev);
    gesture = {kind: 'ruler', x0: px, y0: py, moved: false};
    ev.preventDefault();
  });

  // ---------------------------------------------------------------------------------------------- keys

  document.addEventListener('keydown', ev => {
    if (!studio.state) return;
    if (ev.target.tagName === 'INPUT') return;
    const k = ev.key, mod = ev.ctrlKey || ev.metaKey;
    let done = true;
    if (mod && (k === 'z' || k === 'Z')) { if (ev.shiftKey) actions.redo(); else actions.undo(); }
    else if (mod && (k === 'y' || k === 'Y')) actions.redo();
    else if (mod && (k === 'a' || k === 'A')) actions.selectAll();
    else if (mod) done = false;
    else if (k === ' ') { if (ev.shiftKey) actions.playRegion(); else actions.playAll(); }
    else if (k === 'Delete' || k === 'Backspace') actions.delete();
    else if (k === 'd' || k === 'D') actions.duplicate();
    else if (k === '+' || k === '=') actions.amplitude(1.25);
    else if (k === '-' || k === '_') actions.amplitude(0.8);
    else if (k === 'p' || k === 'P') actions.perturb();
    else if (k === 'r' || k === 'R') actions.randomize();
    else if (k === 'ArrowLeft') actions.move(ev.shiftKey ? -0.1 : -0.01);
    else if (k === 'ArrowRight') actions.move(ev.shiftKey ? 0.1 : 0.01);
    else if (k === 'Escape') { actions.clear(); stop(); }
    else done = false;
    if (done) ev.preventDefault();
  });

  // ---------------------------------------------------------------------------------------------- buttons

  const click = (id, fn) => $(id).addEventListener('click', () => fn());
  click('btn-play', () => actions.playAll());
  click('btn-play-region', () => actions.playRegion());
  click('btn-stop', () => actions.stop());
  click('btn-undo', () => actions.undo());
  click('btn-redo', () => actions.redo());
  click('btn-delete', () => actions.delete());
  click('btn-duplicate', () => actions.duplicate());
  click('btn-amplitude', () => actions.amplitude());
  click('btn-perturb', () => actions.perturb());
  click('btn-randomize', () => actions.randomize());
  click('btn-transplant', () => actions.transplant());
  click('btn-save', () => actions.save());
  click('btn-export', () => actions.exportWav());
  document.querySelectorAll('button').forEach(b => b.addEventListener('mouseup', () => b.blur()));

  run('load', async () => {
    const r = await api('api/state');
    const state = await r.json();
    const stem = state.name.replace(/\.[^.]*$/, '');
    $('in-save-name').value = stem + '.edited.siac';
    $('in-wav-name').value = stem + '.edited.wav';
    await load(state);
    status(state.count + ' events; click one to hear it');
    studio.ready = true;
  });
})();
