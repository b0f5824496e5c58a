/* The sandbox's Embedded Signup window. Like Meta's, it talks to the page that opened it only
 * through window.opener.postMessage: the session-info message in Meta's shape (a JSON string,
 * type WA_EMBEDDED_SIGNUP) for the page's listener, and the code for the SDK's FB.login callback. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("sandbox-dialog-config").textContent);
  var opener = window.opener;
  var target = config.openerOrigin; // messages go only to the origin that launched the flow
  var AFTER_MS = 400; // "after the code": the session event lags behind, as it can with Meta

  if (!opener) { document.getElementById("sandbox-no-opener").hidden = false; }

  function value(id) { return document.getElementById(id).value; }

  function sessionInfo(event, data) {
    opener.postMessage(JSON.stringify({ type: "WA_EMBEDDED_SIGNUP", event: event, data: data, version: 3 }), target);
  }

  function loginResponse(code) {
    opener.postMessage({ type: "SANDBOX_FB_LOGIN_RESPONSE", code: code }, target);
  }

  function closeSoon() { window.setTimeout(function () { window.close(); }, 50); }

  function succeed() {
    fetch(config.completeUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ outcome: value("sandbox-scenario"), event: value("sandbox-event"), phones: Number(value("sandbox-phones")) }),
    }).then(function (response) { return response.json(); }).then(function (answer) {
      var timing = value("sandbox-session");
      if (timing === "before") { sessionInfo(answer.event, answer.data); }
      loginResponse(answer.code);
      if (timing === "after") {
        window.setTimeout(function () { sessionInfo(answer.event, answer.data); closeSoon(); }, AFTER_MS);
        return;
      }
      closeSoon();
    });
  }

  document.querySelector(".actions").addEventListener("click", function (event) {
    var outcome = event.target.getAttribute && event.target.getAttribute("data-sandbox-outcome");
    if (!outcome || !opener) { return; }
    if (outcome === "success") { succeed(); return; }
    if (outcome === "cancel") {
      sessionInfo("CANCEL", { current_step: value("sandbox-step") });
    } else {
      sessionInfo("CANCEL", {
        error_message: config.errorMessage,
        error_code: config.errorCode,
        session_id: config.sessionId,
        timestamp: Math.floor(Date.now() / 1000),
      });
    }
    closeSoon();
  });
})();
