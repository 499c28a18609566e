(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('siac-data').textContent);
  // Exposed so that people (and the browser test) can see what the page is doing.
  var report = window.siacReport = { data: data, playing: null, playEvent: playEvent, showStep: null };
  var audios = Array.prototype.slice.call(document.querySelectorAll('audio'));

  // One sound at a time: starting any player pauses the others.
  audios.forEach(function (a) {
    a.addEventListener('play', function () {
      audios.forEach(function (o) { if (o !== a && !o.paused) o.pause(); });
      report.playing = a.id;
    });
    var stop = function () {
      if (report.playing === a.id) report.playing = null;
      if (a.classList.contains('event-audio')) markPlaying(-1);
    };
    a.addEventListener('pause', stop);
    a.addEventListener('ended', stop);
  });

  // Playheads over spectrograms, and click-to-seek.
  Array.prototype.forEach.call(document.querySelectorAll('.spec[data-audio]'), function (fig) {
    var a = document.getElementById(fig.getAttribute('data-audio'));
    var head = fig.querySelector('.playhead');
    var seconds = parseFloat(fig.getAttribute('data-seconds'));
    if (!a || !head || !(seconds > 0)) return;
    var frame = null;
    function draw() {
      var f = a.currentTime / seconds;
      if (f >= 0 && f <= 1 && (a.currentTime > 0 || !a.paused)) {
        head.style.display = 'block';
        head.style.left = (f * 100) + '%';
      } else {
        head.style.display = 'none';
      }
      frame = a.paused ? null : window.requestAnimationFrame(draw);
    }
    a.addEventListener('play', function () { if (frame === null) frame = window.requestAnimationFrame(draw); });
    a.addEventListener('seeked', draw);
    a.addEventListener('pause', draw);
    fig.addEventListener('click', function (e) {
      var r = fig.getBoundingClientRect();
      var t = (e.clientX - r.left) / r.width * seconds;
      if (a.duration > 0) t = Math.min(t, a.duration);
      a.currentTime = Math.max(0, t);
      var p = a.play();
      if (p && p.catch) p.catch(function () {});
    });
  });

  // Event scatterplot: hover for details, click (or Enter) to hear the event alone.
  var figure = document.getElementById('scatter-figure');
  var tooltip = document.getElementById('scatter-tooltip');
  var nowPlaying = document.getElementById('now-playing');
  var groups = Array.prototype.slice.call(document.querySelectorAll('#scatter g.event'));

  function markPlaying(index) {
    groups.forEach(function (g) { g.classList.toggle('playing', +g.getAttribute('data-index') === index); });
    if (nowPlaying) {
      nowPlaying.textContent = index < 0 ? '' : 'Playing event ' + (index + 1) + ' at ' + data.events[index].t.toFixed(3) + ' s';
    }
  }

  function playEvent(index) {
    var a = document.getElementById('event-audio-' + index);
    if (!a) return;
    a.currentTime = 0;
    markPlaying(index);
    var p = a.play();
    if (p && p.catch) p.catch(function () { markPlaying(-1); });
  }

  function vectorBars(v) {
    var w = 260, h = 44, n = v.length, max = 0;
    for (var i = 0; i < n; i++) max = Math.max(max, Math.abs(v[i]));
    max = max || 1;
    var bw = w / n, mid = h / 2, s = '<svg class="vec" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + ' ' + h + '">';
    s += '<line x1="0" x2="' + w + '" y1="' + mid + '" y2="' + mid + '" stroke="#57606a" stroke-width="1"/>';
    for (var j = 0; j < n; j++) {
      var bh = Math.abs(v[j]) / max * (mid - 1);
      var y = v[j] >= 0 ? mid - bh : mid;
      s += '<rect x="' + (j * bw + 0.5).toFixed(2) + '" y="' + y.toFixed(2) + '" width="' + Math.max(bw - 1, 0.5).toFixed(2) +
        '" height="' + Math.max(bh, 0.5).toFixed(2) + '" fill="' + (v[j] >= 0 ? '#7ee2d5' : '#f7a4a4') + '"/>';
    }
    return s + '</svg>';
  }

  function showTooltip(index, e) {
    var ev = data.events[index];
    var c = 'rgb(' + ev.color.join(',') + ')';
    tooltip.innerHTML = '<div><span class="swatch" style="background:' + c + '"></span><b>Event ' + (index + 1) + '</b> of ' +
      data.events.length + '</div><div>time ' + ev.t.toFixed(3) + ' s &middot; amplitude ' + ev.amp.toPrecision(3) + '</div>' +
      vectorBars(ev.v) + '<div class="nums">[' + ev.v.map(function (x) { return x.toFixed(2).replace('-', '\u2212'); }).join(', ') + ']</div>';
    tooltip.style.display = 'block';
    moveTooltip(e);
  }

  function moveTooltip(e) {
    var r = figure.getBoundingClientRect();
    var x = e.clientX - r.left + 14, y = e.clientY - r.top + 14;
    var tw = tooltip.offsetWidth, th = tooltip.offsetHeight;
    if (x + tw > r.width) x = Math.max(0, e.clientX - r.left - tw - 14);
    if (y + th > r.height) y = Math.max(0, e.clientY - r.top - th - 14);
    tooltip.style.left = x + 'px';
    tooltip.style.top = y + 'px';
  }

  groups.forEach(function (g) {
    var index = +g.getAttribute('data-index');
    g.addEventListener('click', function () { playEvent(index); });
    g.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); playEvent(index); }
    });
    g.addEventListener('mouseenter', function (e) { showTooltip(index, e); });
    g.addEventListener('mousemove', function (e) {
      if (tooltip.style.display !== 'block') showTooltip(index, e); else moveTooltip(e);
    });
    g.addEventListener('mouseleave', function () { tooltip.style.display = 'none'; });
    g.addEventListener('focus', function () {
      var b = g.getBoundingClientRect();
      showTooltip(index, { clientX: b.left + b.width / 2, clientY: b.top + b.height / 2 });
    });
    g.addEventListener('blur', function () { tooltip.style.display = 'none'; });
  });

  // Decomposition: a scrubbable sequence of residual spectrograms.
  var slider = document.getElementById('decomp-slider');
  if (slider) {
    var img = document.getElementById('decomp-img');
    var label = document.getElementById('decomp-label');
    var dot = document.getElementById('energy-dot');
    var button = document.getElementById('decomp-play');
    var steps = data.steps;
    var timer = null;
    steps.forEach(function (s) { var pre = new Image(); pre.src = s.src; });
    var showStep = report.showStep = function (i) {
      i = Math.max(0, Math.min(steps.length - 1, i));
      slider.value = i;
      img.src = steps[i].src;
      label.textContent = 'step ' + (i + 1) + ' / ' + steps.length;
      if (dot) { dot.setAttribute('cx', steps[i].x); dot.setAttribute('cy', steps[i].y); }
    };
    slider.addEventListener('input', function () { stop(); showStep(+slider.value); });
    function stop() { if (timer !== null) { clearInterval(timer); timer = null; button.textContent = 'Play'; } }
    button.addEventListener('click', function () {
      if (timer !== null) { stop(); return; }
      if (+slider.value >= steps.length - 1) showStep(0);
      button.textContent = 'Pause';
      timer = setInterval(function () {
        var next = +slider.value + 1;
        if (next >= steps.length) { stop(); return; }
        showStep(next);
      }, 500);
    });
    showStep(0);
  }
})();
