/* The sandbox's stand-in for Meta's JavaScript SDK (https://connect.facebook.net/<locale>/sdk.js).
 * It implements what the hosted page uses, the way Meta's SDK behaves: window.fbAsyncInit is
 * called once FB exists; FB.login(callback, options) opens a real popup window on another origin
 * (the sandbox dialog), and calls back with {status: "connected", authResponse: {code}} or, when
 * the window closes without a code (or cannot open), with {status: "unknown", authResponse: null}.
 * A call that Embedded Signup would not accept fails loudly: a console error and no popup. */
(function () {
  "use strict";

  var script = document.currentScript;
  var DIALOG_ORIGIN = new URL(script.src).origin;
  var DIALOG_URL = DIALOG_ORIGIN + "/_sandbox/facebook/dialog";
  // featureType values Meta documents for Embedded Signup ("" is the default Cloud API flow).
  var FEATURE_TYPES = ["", "whatsapp_business_app_onboarding", "only_waba_sharing", "marketing_messages_lite"];
  var EXTRAS_KEYS = ["setup", "featureType", "sessionInfoVersion", "version", "features"];
  var sdk = { appId: null, version: null, pending: null };

  function fail(message) {
    console.error("FB (sandbox SDK): " + message);
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function init(options) {
    if (!isObject(options) || !/^\d{1,40}$/.test(String(options.appId || ""))) {
      fail("FB.init needs the numeric appId of a Meta app.");
      return;
    }
    if (!/^v\d+\.\d+$/.test(String(options.version || ""))) {
      fail("FB.init needs a Graph API version such as v25.0.");
      return;
    }
    sdk.appId = String(options.appId);
    sdk.version = String(options.version);
  }

  // What Meta documents for launching Embedded Signup; null when the call is acceptable.
  function loginProblem(callback, options) {
    if (typeof callback !== "function") { return "FB.login needs a callback function first."; }
    if (!sdk.appId) { return "FB.login was called before FB.init."; }
    if (!isObject(options)) { return "FB.login needs the Embedded Signup options object."; }
    if (typeof options.config_id !== "string" || !/^\d{1,40}$/.test(options.config_id)) {
      return "config_id must be the Facebook Login for Business configuration id (a string of digits).";
    }
    if (options.response_type !== "code") { return 'response_type must be "code".'; }
    if (options.override_default_response_type !== true) { return "override_default_response_type must be true."; }
    var extras = options.extras;
    if (!isObject(extras)) { return "extras must be an object."; }
    var unknown = Object.keys(extras).filter(function (key) { return EXTRAS_KEYS.indexOf(key) === -1; });
    if (unknown.length) { return "extras has unknown keys: " + unknown.join(", "); }
    if (!isObject(extras.setup)) { return "extras.setup must be an object ({} when nothing is prefilled)."; }
    if (extras.sessionInfoVersion !== "3") { return 'extras.sessionInfoVersion must be "3".'; }
    if (extras.version !== "v4") { return 'extras.version must be "v4" (Meta retired v2, the default, in October 2026).'; }
    if (extras.featureType !== undefined && FEATURE_TYPES.indexOf(extras.featureType) === -1) {
      return "extras.featureType is not one Meta documents: " + String(extras.featureType);
    }
    return null;
  }

  function settle(pending, code) {
    if (pending.done) { return; }
    pending.done = true;
    window.clearInterval(pending.timer);
    if (sdk.pending === pending) { sdk.pending = null; }
    if (code) {
      pending.callback({ status: "connected", authResponse: { code: code, userID: "", expiresIn: 0 } });
    } else {
      pending.callback({ status: "unknown", authResponse: null });
    }
  }

  function login(callback, options) {
    var problem = loginProblem(callback, options);
    if (problem) { fail(problem); return; }
    if (sdk.pending && !sdk.pending.popup.closed) { sdk.pending.popup.focus(); return; }
    var params = new URLSearchParams({
      app_id: sdk.appId,
      config_id: options.config_id,
      feature_type: options.extras.featureType || "",
      version: sdk.version,
      origin: window.location.origin,
    });
    var popup = window.open(DIALOG_URL + "?" + params.toString(), "sandbox_embedded_signup", "popup,width=600,height=760");
    var pending = { popup: popup, callback: callback, done: false, timer: null };
    if (!popup) { settle(pending, null); return; } // a popup blocker said no
    sdk.pending = pending;
    // The real SDK learns of a closed window the same way: by looking.
    pending.timer = window.setInterval(function () {
      if (popup.closed) { window.setTimeout(function () { settle(pending, null); }, 0); }
    }, 250);
  }

  window.addEventListener("message", function (event) {
    var pending = sdk.pending;
    if (!pending || event.origin !== DIALOG_ORIGIN || event.source !== pending.popup) { return; }
    var data = event.data;
    if (isObject(data) && data.type === "SANDBOX_FB_LOGIN_RESPONSE") { settle(pending, data.code || null); }
  });

  window.FB = {
    init: init,
    login: login,
    getLoginStatus: function (callback) { callback({ status: "unknown", authResponse: null }); },
  };
  if (typeof window.fbAsyncInit === "function") { window.setTimeout(window.fbAsyncInit, 0); }
})();
