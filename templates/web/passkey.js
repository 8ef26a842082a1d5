/* The passkey ceremonies of the desk's second step and account page (WebAuthn).
   A container [data-passkey="register"|"login"] holds the button, the CSRF field and a
   status line; data-options gives the options (JSON, from py_webauthn), data-url takes the
   browser's answer. Without WebAuthn the button stays hidden: the code form still works. */
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !window.fetch) { return; }
  function bytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }
  function text(buffer) {
    var view = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < view.length; i++) { raw += String.fromCharCode(view[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function creationOptions(o) {
    o.challenge = bytes(o.challenge);
    o.user.id = bytes(o.user.id);
    (o.excludeCredentials || []).forEach(function (c) { c.id = bytes(c.id); });
    return { publicKey: o };
  }
  function requestOptions(o) {
    o.challenge = bytes(o.challenge);
    (o.allowCredentials || []).forEach(function (c) { c.id = bytes(c.id); });
    return { publicKey: o };
  }
  function answer(credential) {
    var r = credential.response, out = {
      id: credential.id, rawId: text(credential.rawId), type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: text(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = text(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = text(r.authenticatorData);
      out.response.signature = text(r.signature);
      if (r.userHandle) { out.response.userHandle = text(r.userHandle); }
    }
    if (credential.authenticatorAttachment) { out.authenticatorAttachment = credential.authenticatorAttachment; }
    return JSON.stringify(out);
  }
  function post(url, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" });
  }
  document.querySelectorAll("[data-passkey]").forEach(function (box) {
    var button = box.querySelector(".passkey-button"), status = box.querySelector(".passkey-status");
    var csrf = box.querySelector("input[name=csrf]").value, register = box.dataset.passkey === "register";
    var nameField = box.querySelector("input[name=name]");
    var failed = document.documentElement.lang === "en" ? "That did not work. Try again, or use a code."
      : "Dat lukte niet. Probeer het opnieuw, of gebruik een code.";
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = "";
      post(box.dataset.options, { csrf: csrf })
        .then(function (r) { if (!r.ok) { throw new Error("options"); } return r.json(); })
        .then(function (o) {
          return register ? navigator.credentials.create(creationOptions(o)) : navigator.credentials.get(requestOptions(o));
        })
        .then(function (credential) {
          var fields = { csrf: csrf, credential: answer(credential) };
          if (nameField) { fields.name = nameField.value; }
          return post(box.dataset.url, fields);
        })
        .then(function (r) { return r.json(); })
        .then(function (result) {
          if (result.ok && result.next) { window.location.assign(result.next); return; }
          status.textContent = result.message || failed;
        })
        .catch(function () { status.textContent = failed; })
        .then(function () { button.disabled = false; });
    });
  });
}());
