/*
 * mqlab embed loader. On a course page:
 *
 *   <div data-mqlab-demo="peak-shaving" data-lang="zh-CN"></div>
 *   <script src="https://YOUR-HOST/mqlab/embed.js" defer></script>
 *
 * Each such div gets an iframe of that demo that sets its own height.
 * Optional attributes: data-lang (zh-CN | en), data-theme (light | dark),
 * data-state (a shared run, the "s=" part of a copied link).
 * Events from the demo are re-dispatched on the div as `mqlab` CustomEvents
 * (event.detail is the message); window.mqlab.send(div, message) drives it.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/embed\.js(?:[?#].*)?$/, "") : "./";
  var ID = /^[a-z0-9-]{1,40}$/;
  var LANG = /^(zh-CN|en)$/;
  var THEME = /^(light|dark)$/;
  var STATE = /^[0-9]{1,3}\.[A-Za-z0-9_-]{0,65536}$/;

  function mount(el) {
    if (el.__mqlabFrame) return el.__mqlabFrame;
    var id = el.getAttribute("data-mqlab-demo") || "";
    if (!ID.test(id)) {
      console.warn("mqlab: data-mqlab-demo must be a demo id such as \"peak-shaving\", not " + JSON.stringify(id));
      return null;
    }
    var q = [];
    var lang = el.getAttribute("data-lang");
    if (lang && LANG.test(lang)) q.push("lang=" + lang);
    var theme = el.getAttribute("data-theme");
    if (theme && THEME.test(theme)) q.push("theme=" + theme);
    var state = el.getAttribute("data-state");
    if (state && STATE.test(state)) q.push("s=" + state);
    var frame = document.createElement("iframe");
    frame.src = base + "index.html#/embed/" + id + (q.length ? "?" + q.join("&") : "");
    frame.title = el.getAttribute("data-title") || "mqlab: " + id;
    frame.setAttribute("loading", "lazy");
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.display = "block";
    frame.style.height = "640px";
    el.appendChild(frame);
    el.__mqlabFrame = frame;
    return frame;
  }

  function frameOf(source) {
    var divs = document.querySelectorAll("[data-mqlab-demo]");
    for (var i = 0; i < divs.length; i++) {
      var f = divs[i].__mqlabFrame;
      if (f && f.contentWindow === source) return f;
    }
    return null;
  }

  window.addEventListener("message", function (e) {
    var d = e.data;
    if (!d || typeof d !== "object" || d.mqlab !== 1) return;
    var frame = frameOf(e.source);
    if (!frame) return;
    if (d.type === "ready") {
      // Messages sent before the demo was up (e.g. to a lazy frame still
      // off screen) were kept; deliver them now, in order.
      frame.__mqlabReady = true;
      var waiting = frame.__mqlabQueue || [];
      frame.__mqlabQueue = [];
      for (var i = 0; i < waiting.length; i++) frame.contentWindow.postMessage(waiting[i], "*");
    }
    if (d.type === "resize" && typeof d.height === "number" && d.height > 0) {
      frame.style.height = Math.min(Math.ceil(d.height), 20000) + "px";
    }
    frame.parentNode.dispatchEvent(new CustomEvent("mqlab", { detail: d }));
  });

  function mountAll() {
    var divs = document.querySelectorAll("[data-mqlab-demo]");
    for (var i = 0; i < divs.length; i++) mount(divs[i]);
  }

  window.mqlab = {
    mount: mount,
    mountAll: mountAll,
    /** Sends a message such as {type: "play"} to the demo in `el`; before
     *  the demo is ready, messages wait and are delivered in order. */
    send: function (el, message) {
      var frame = mount(el);
      if (!frame) return false;
      var m = {};
      for (var k in message) if (Object.prototype.hasOwnProperty.call(message, k)) m[k] = message[k];
      m.mqlab = 1;
      if (!frame.__mqlabReady) {
        (frame.__mqlabQueue = frame.__mqlabQueue || []).push(m);
        return true;
      }
      frame.contentWindow.postMessage(m, "*");
      return true;
    },
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
