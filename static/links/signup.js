/* Hosted signup page: runs Meta Embedded Signup (or the sandbox dialog), reports the outcome to
 * POST /signup/{id}/callback and follows GET /signup/{id}/status until the link settles.
 * No build step, no dependencies. Configuration comes from the #signup-config JSON block. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("signup-config").textContent);
  var root = document.getElementById("signup");
  var connectButton = document.getElementById("connect-whatsapp");
  var tryAgainButton = document.getElementById("try-again");
  var pendingNotice = document.getElementById("pending-notice");
  var errorMessage = document.getElementById("error-message");
  var announcer = document.getElementById("announcer");
  var logo = document.getElementById("brand-logo");
  var SESSION_WAIT_MS = 2500; // how long a code waits for the session event before being sent alone
  var POLL_MS = 1000;

  // A broken logo is hidden rather than shown as a broken image (the name is in the header anyway).
  if (logo) {
    var hideLogo = function () { logo.hidden = true; };
    if (logo.decode) { logo.decode().catch(hideLogo); } else { logo.addEventListener("error", hideLogo); }
  }

  // One live region tells screen readers each new state: its heading and its [data-announce] text.
  function announce(section) {
    var parts = [];
    var heading = section.querySelector("h2");
    if (heading) { parts.push(heading.textContent.trim()); }
    Array.prototype.forEach.call(section.querySelectorAll("[data-announce]"), function (element) {
      var text = element.textContent.trim();
      if (text) { parts.push(text); }
    });
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = parts.join(" "); }, 50);
  }

  function setState(state) {
    root.setAttribute("data-state", state);
    var section = root.querySelector('[data-for="' + state + '"]');
    if (!section) { return; }
    if (state !== "pending") { announce(section); }
    var heading = section.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: false });
    }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  function go(url) {
    setState("redirecting");
    window.location.assign(url);
  }

  function showError(message) {
    errorMessage.textContent = message || config.messages.genericError;
    setState("error");
  }

  // Follow the link's status until it is completed or in error, then redirect or show it.
  function poll() {
    fetch(config.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.redirectTo) { go(data.redirectTo); return; }
        if (data.status === "processing") { window.setTimeout(poll, POLL_MS); return; }
        if (data.status === "error") { showError(data.error); return; }
        setState(data.status);
      })
      .catch(function () { window.setTimeout(poll, POLL_MS * 3); });
  }

  function handleCallbackAnswer(answer) {
    var data = answer.data || {};
    if (answer.status === 202) { setState("processing"); poll(); return; }
    if (data.redirectTo) { go(data.redirectTo); return; }
    if (answer.status === 200 && data.status === "pending") {
      connectButton.disabled = false;
      pendingNotice.textContent = config.messages.cancelled;
      setState("pending");
      return;
    }
    if (answer.status === 200 && data.status === "error") { showError(data.error); return; }
    if (answer.status === 409) { poll(); return; }
    showError(config.messages.genericError); // the API's own message is for developers, in English
  }

  function report(body) {
    return postJson(config.callbackUrl, body).then(handleCallbackAnswer, function () {
      showError(config.messages.network);
    });
  }

  // ---- One launch of the dialog: code and session event may arrive in either order. ----
  var launch = null;

  function newLaunch() {
    launch = { code: null, session: null, done: false, timer: null };
    return launch;
  }

  function finish(current) {
    if (current.done || !current.code) { return; }
    current.done = true;
    window.clearTimeout(current.timer);
    var body = { code: current.code };
    var session = current.session;
    if (session) {
      var d = session.data || {};
      body.event = session.event;
      if (d.waba_id) { body.wabaId = String(d.waba_id); }
      if (d.phone_number_id) { body.phoneNumberId = String(d.phone_number_id); }
      if (d.business_id) { body.businessId = String(d.business_id); }
      if (d.page_ids) { body.pageIds = d.page_ids.map(String); }
      if (d.dataset_ids) { body.datasetIds = d.dataset_ids.map(String); }
      if (d.catalog_ids) { body.catalogIds = d.catalog_ids.map(String); }
      if (d.instagram_account_ids) { body.instagramAccountIds = d.instagram_account_ids.map(String); }
    }
    setState("processing");
    report(body);
  }

  function abandon(current, body) {
    if (current.done) { return; }
    current.done = true;
    window.clearTimeout(current.timer);
    report(body);
  }

  function onCode(current, code) {
    current.code = code;
    if (current.session) { finish(current); return; }
    current.timer = window.setTimeout(function () { finish(current); }, SESSION_WAIT_MS);
  }

  function onSessionEvent(current, message) {
    var event = String(message.event || "");
    var data = message.data || {};
    if (event.indexOf("FINISH") === 0) {
      current.session = message;
      if (current.code) { finish(current); }
    } else if (event === "CANCEL" && data.error_message) {
      abandon(current, { error: String(data.error_message).slice(0, 500) });
    } else if (event === "CANCEL") {
      var cancel = { cancelled: true };
      if (data.current_step) { cancel.currentStep = String(data.current_step).slice(0, 64); }
      abandon(current, cancel);
    } else if (event.toUpperCase() === "ERROR") {
      abandon(current, { error: String(data.error_message || config.messages.dialogError).slice(0, 500) });
    }
  }

  // ---- Live mode: Meta's SDK and the WA_EMBEDDED_SIGNUP window message. ----
  function isFacebookOrigin(origin) {
    try {
      var url = new URL(origin);
      return url.protocol === "https:" &&
        (url.hostname === "facebook.com" || url.hostname.slice(-13) === ".facebook.com");
    } catch (e) { return false; }
  }

  window.addEventListener("message", function (event) {
    if (config.sandbox || !launch || !isFacebookOrigin(event.origin)) { return; }
    var message = event.data;
    if (typeof message === "string") {
      try { message = JSON.parse(message); } catch (e) { return; } // other SDK messages are not JSON
    }
    if (message && message.type === "WA_EMBEDDED_SIGNUP") { onSessionEvent(launch, message); }
  });

  window.fbAsyncInit = function () {
    window.FB.init({ appId: config.appId, autoLogAppEvents: true, xfbml: false, version: config.graphVersion });
  };

  function launchLive() {
    if (!window.FB) { pendingNotice.textContent = config.messages.sdkMissing; connectButton.disabled = false; return; }
    var current = newLaunch();
    window.FB.login(function (response) {
      if (response && response.authResponse && response.authResponse.code) {
        onCode(current, response.authResponse.code);
      } else if (!current.session) {
        abandon(current, { cancelled: true });
      } else {
        abandon(current, { error: config.messages.noCode });
      }
    }, {
      config_id: config.configId,
      response_type: "code",
      override_default_response_type: true,
      extras: { setup: {}, sessionInfoVersion: "3" },
    });
  }

  // ---- Sandbox mode: the same flow, with a local dialog standing in for Meta's popup. ----
  function launchSandbox() {
    var dialog = document.getElementById("sandbox-dialog");
    var current = newLaunch();
    dialog.showModal();
    dialog.onclick = function (event) {
      var outcome = event.target.getAttribute && event.target.getAttribute("data-sandbox-outcome");
      if (!outcome) { return; }
      dialog.close();
      if (outcome === "cancel") {
        onSessionEvent(current, { type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: { current_step: "PHONE_NUMBER_SETUP" } });
        return;
      }
      if (outcome === "error") {
        onSessionEvent(current, { type: "WA_EMBEDDED_SIGNUP", event: "CANCEL",
          data: { error_message: config.messages.sandboxError, error_code: "524126" } });
        return;
      }
      var scenario = document.getElementById("sandbox-scenario").value;
      var finishEvent = document.getElementById("sandbox-event").value;
      postJson(config.sandboxDialogUrl, { outcome: scenario, event: finishEvent }).then(function (answer) {
        if (answer.status !== 200 || !answer.data.code) { showError(config.messages.genericError); return; }
        onSessionEvent(current, answer.data); // shaped like Meta's WA_EMBEDDED_SIGNUP message
        onCode(current, answer.data.code);
      }, function () { showError(config.messages.network); });
    };
    // Escape closes the dialog: a cancel of this launch only (a property, so no earlier
    // launch's handler stays attached and reports a second time).
    dialog.oncancel = function () {
      onSessionEvent(current, { type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: {} });
    };
  }

  function start() {
    connectButton.disabled = true;
    pendingNotice.textContent = "";
    if (config.sandbox) { launchSandbox(); } else { launchLive(); }
  }

  connectButton.addEventListener("click", start);
  tryAgainButton.addEventListener("click", function () {
    setState("pending");
    start();
  });

  if (root.getAttribute("data-state") === "processing") { poll(); }
})();
