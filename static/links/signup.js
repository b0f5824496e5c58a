/* Hosted signup page: runs Meta Embedded Signup through the JS SDK's FB.login, reports the outcome
 * to POST /signup/{id}/callback and follows GET /signup/{id}/status until the link settles.
 * One code path: in sandbox mode the server hands this script the sandbox's SDK and dialog origin
 * instead of Meta's. No build step, no dependencies. Configuration: the #signup-config JSON block. */
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
  // A state that follows another within the 50 ms replaces its announcement (a failure right after
  // "Setting up your number" must not be followed by the stale "Setting up" text).
  var announceTimer = null;
  function announce(section) {
    var parts = [];
    var heading = section.querySelector("h2");
    if (heading) { parts.push(heading.textContent.trim()); }
    Array.prototype.forEach.call(section.querySelectorAll("[data-announce]"), function (element) {
      var text = element.textContent.trim();
      if (text) { parts.push(text); }
    });
    announcer.textContent = "";
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(function () { announcer.textContent = parts.join(" "); }, 50);
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
        if (data.choosePhone) { showPhoneChoice(); return; }
        if (data.enterPin) { showPinStep(data.pinRejected); return; }
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

  // The signup funnel's "started": fire and forget, so nothing waits for it (keepalive: it
  // survives the page navigating away).
  function reportStarted() {
    fetch(config.startedUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: "{}",
    }).catch(function () {});
  }

  function report(body) {
    return postJson(config.callbackUrl, body).then(handleCallbackAnswer, function () {
      showError(config.messages.network);
    });
  }

  // ---- The number picker: several numbers in reach and Meta named none; the end-user picks. ----
  var phoneChoices = document.getElementById("phone-choices");
  var usePhoneButton = document.getElementById("use-phone");

  function renderPhoneChoices(choices) {
    Array.prototype.forEach.call(phoneChoices.querySelectorAll("label"), function (label) { label.remove(); });
    choices.forEach(function (choice) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "phone-number";
      input.value = choice.id;
      var text = document.createElement("span");
      text.textContent = choice.displayPhoneNumber;
      var detail = document.createElement("span");
      detail.className = "choice-detail";
      detail.textContent = choice.verifiedName;
      text.appendChild(detail);
      label.appendChild(input);
      label.appendChild(text);
      phoneChoices.appendChild(label);
    });
  }

  function showPhoneChoice() {
    fetch(config.phonesUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (answer) {
        if (answer.status !== 200) { window.setTimeout(poll, POLL_MS); return; } // picked meanwhile
        renderPhoneChoices(answer.data.data || []);
        usePhoneButton.disabled = true; // until the end-user picks: nothing is chosen for them
        setState("choose-phone");
      }, function () { showError(config.messages.network); });
  }

  phoneChoices.addEventListener("change", function () { usePhoneButton.disabled = false; });
  usePhoneButton.addEventListener("click", function () {
    var checked = phoneChoices.querySelector("input:checked");
    if (!checked) { return; }
    usePhoneButton.disabled = true;
    setState("processing");
    postJson(config.phonesUrl, { phoneNumberId: checked.value }).then(function (answer) {
      if (answer.status === 202 || answer.status === 409) { poll(); return; }
      showError(config.messages.genericError);
    }, function () { showError(config.messages.network); });
  });

  // ---- The two-step verification PIN: Meta refused ours (133005); the end-user types the number's. ----
  var pinForm = document.getElementById("pin-form");
  var pinInput = document.getElementById("pin-input");
  var pinNotice = document.getElementById("pin-notice");

  function showPinStep(rejected) {
    pinInput.value = "";
    pinNotice.textContent = rejected ? config.messages.pinRejected : "";
    document.getElementById("use-pin").disabled = false;
    setState("enter-pin");
    pinInput.focus();
  }

  pinForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var pin = pinInput.value.trim();
    if (!/^[0-9]{6}$/.test(pin)) { pinNotice.textContent = config.messages.pinInvalid; return; }
    document.getElementById("use-pin").disabled = true;
    pinInput.value = ""; // the PIN stays nowhere on the page
    setState("processing");
    postJson(config.pinUrl, { pin: pin }).then(function (answer) {
      if (answer.status === 202 || answer.status === 409) { window.setTimeout(poll, POLL_MS); return; }
      if (answer.status === 400) { showPinStep(false); pinNotice.textContent = config.messages.pinInvalid; return; }
      showError(config.messages.genericError);
    }, function () { showError(config.messages.network); });
  });

  // ---- One launch of Embedded Signup: code and session event may arrive in either order, or
  // the event never (then the server asks the end-user which number, rather than guessing). ----
  var COEXISTENCE_EVENT = "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING";
  var launch = null;

  function newLaunch(flow) {
    launch = { flow: flow, code: null, session: null, done: false, timer: null };
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
    } else if (current.flow === "whatsapp_business_app") {
      body.event = COEXISTENCE_EVENT; // the end-user chose the WhatsApp Business app flow
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

  // The window closed (or never opened) without a code: nothing happened, nothing to report.
  function windowGone(current) {
    if (current.done) { return; }
    current.done = true;
    window.clearTimeout(current.timer);
    connectButton.disabled = false;
    pendingNotice.textContent = config.messages.windowClosed;
    setState("pending");
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
    } else if ((event === "CANCEL" && data.error_message) || event.toUpperCase() === "ERROR") {
      var error = { error: String(data.error_message || config.messages.dialogError).slice(0, 500) };
      if (data.error_code) { error.errorCode = String(data.error_code).slice(0, 32); }
      if (data.session_id) { error.sessionId = String(data.session_id).slice(0, 64); }
      abandon(current, error);
    } else if (event === "CANCEL") {
      var cancel = { cancelled: true };
      if (data.current_step) { cancel.currentStep = String(data.current_step).slice(0, 64); }
      abandon(current, cancel);
    }
  }

  // Session-info messages come from the Embedded Signup window, on the origins the server names.
  window.addEventListener("message", function (event) {
    if (!launch || config.messageOrigins.indexOf(event.origin) === -1) { return; }
    var message = event.data;
    if (typeof message === "string") {
      try { message = JSON.parse(message); } catch (e) { return; } // other SDK messages are not JSON
    }
    if (message && message.type === "WA_EMBEDDED_SIGNUP") { onSessionEvent(launch, message); }
  });

  window.fbAsyncInit = function () {
    window.FB.init({ appId: config.appId, autoLogAppEvents: true, xfbml: false, version: config.graphVersion });
  };

  // With several flows allowed the end-user says which (the question above the button); else the one.
  function chosenFlow() {
    if (config.flows.length === 1) { return config.flows[0]; }
    var checked = document.querySelector('input[name="signup-flow"]:checked');
    var name = checked ? checked.value : null;
    return config.flows.filter(function (flow) { return flow.flow === name; })[0] || null;
  }

  // Called synchronously from the click: a popup opened later would be blocked.
  function launchSignup() {
    if (!window.FB) { pendingNotice.textContent = config.messages.sdkMissing; connectButton.disabled = false; return; }
    var flow = chosenFlow();
    if (!flow) { pendingNotice.textContent = config.messages.chooseFlow; connectButton.disabled = false; return; }
    var current = newLaunch(flow.flow);
    window.setTimeout(reportStarted, 0); // after FB.login has opened the window, never before it
    window.FB.login(function (response) {
      if (response && response.authResponse && response.authResponse.code) {
        onCode(current, response.authResponse.code);
      } else if (current.session) {
        abandon(current, { error: config.messages.noCode });
      } else {
        windowGone(current);
      }
    }, flow.loginOptions);
  }

  function start() {
    connectButton.disabled = true;
    pendingNotice.textContent = "";
    launchSignup();
  }

  connectButton.addEventListener("click", start);
  tryAgainButton.addEventListener("click", function () {
    setState("pending");
    start();
  });

  if (root.getAttribute("data-state") === "processing") { poll(); }
})();
