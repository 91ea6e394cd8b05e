// The page's one EventSource. It resumes from the newest event id it has applied (htmx's SSE
// extension forgets Last-Event-ID when it reconnects, so this keeps it), ignores replays it has
// already applied, and shows whether the page is live, reconnecting or offline.
// Other scripts listen for "live:message" ({channel, id, data}) and "live:reset" ({channels}).
(function () {
  "use strict";
  const body = document.body;
  const url = body.dataset.liveUrl;
  if (!url || !window.EventSource) return;

  const channels = (body.dataset.liveChannels || "").split(/\s+/).filter(Boolean);
  const lastIds = parseId(body.dataset.liveLastId || "");
  const labels = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", offline: "Offline" };
  let source = null;
  let backoff = 1000;
  let timer = null;

  function parseId(text) {
    const out = {};
    for (const part of text.split(",")) {
      const at = part.lastIndexOf(":");
      if (at > 0) out[decodeURIComponent(part.slice(0, at))] = Number(part.slice(at + 1));
    }
    return out;
  }

  function currentId() {
    return channels
      .filter((c) => c in lastIds)
      .map((c) => encodeURIComponent(c) + ":" + lastIds[c])
      .join(",");
  }

  function setState(state) {
    body.dataset.liveState = state;
    for (const el of document.querySelectorAll("[data-live-indicator]")) {
      el.dataset.state = state;
      el.textContent = labels[state];
    }
  }

  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function onMessage(event) {
    const ids = parseId(event.lastEventId || "");
    for (const channel of Object.keys(ids)) {
      const id = ids[channel];
      if (!(channel in lastIds) || id > lastIds[channel]) {
        lastIds[channel] = id;
        emit("live:message", { channel: channel, id: id, data: JSON.parse(event.data) });
        return;
      }
    }
    // Every channel's id is one we have applied already: a replay after a reconnect.
  }

  function connect() {
    clearTimeout(timer);
    if (source) source.close();
    const params = new URLSearchParams();
    channels.forEach((c) => params.append("channel", c));
    const id = currentId();
    if (id) params.set("lastEventId", id);
    source = new EventSource(url + "?" + params.toString());
    source.onopen = function () {
      backoff = 1000;
      setState("live");
    };
    source.onmessage = onMessage;
    source.addEventListener("stream-reset", function (event) {
      Object.assign(lastIds, parseId(event.lastEventId || ""));
      emit("live:reset", { channels: JSON.parse(event.data).channels });
    });
    source.addEventListener("stream-error", function () {
      source.close();
      retryLater();
    });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) retryLater();
      else setState("reconnecting");
    };
  }

  function retryLater() {
    setState("offline");
    clearTimeout(timer);
    timer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 30000);
  }

  window.Live = {
    // Listen to one more channel on the same connection, from `fromId` (0: from its start).
    subscribe: function (channel, fromId) {
      if (channels.includes(channel)) return;
      channels.push(channel);
      lastIds[channel] = fromId || 0;
      connect();
    },
    state: function () {
      return body.dataset.liveState;
    },
  };
  setState("connecting");
  connect();
})();
