// The browser's half of the passkey ceremonies (docs/PASSKEYS.md "In the browser"), served as
// /static/passkeys.js (a module: included by several forms, it runs once). A form marked
// data-passkey stays hidden unless the browser can do WebAuthn. On submit the script asks the
// form's data-passkey-options URL for the ceremony's options (a same-origin form POST, so the CSRF
// check applies), runs navigator.credentials.create() or .get(), puts the credential's JSON in the
// form's "credential" field and submits the form: the server's answer is an ordinary page.
export const passkeyScript = `
function toBytes(value) {
  var text = atob(value.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((value.length + 3) % 4));
  return Uint8Array.from(text, function (c) { return c.charCodeAt(0); });
}
function toBase64url(buffer) {
  var text = String.fromCharCode.apply(null, new Uint8Array(buffer));
  return btoa(text).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
}
function withBytes(options) {
  options.challenge = toBytes(options.challenge);
  if (options.user) options.user.id = toBytes(options.user.id);
  ["excludeCredentials", "allowCredentials"].forEach(function (key) {
    (options[key] || []).forEach(function (descriptor) { descriptor.id = toBytes(descriptor.id); });
  });
  return options;
}
function creationOptions(json) {
  return PublicKeyCredential.parseCreationOptionsFromJSON ? PublicKeyCredential.parseCreationOptionsFromJSON(json) : withBytes(json);
}
function requestOptions(json) {
  return PublicKeyCredential.parseRequestOptionsFromJSON ? PublicKeyCredential.parseRequestOptionsFromJSON(json) : withBytes(json);
}
function credentialJson(credential) {
  if (credential.toJSON) return credential.toJSON();
  var response = credential.response;
  var json = { id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type, response: { clientDataJSON: toBase64url(response.clientDataJSON) } };
  if (response.attestationObject) {
    json.response.attestationObject = toBase64url(response.attestationObject);
    json.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    json.response.authenticatorData = toBase64url(response.authenticatorData);
    json.response.signature = toBase64url(response.signature);
    json.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
  }
  return json;
}
function showProblem(form, message) {
  var status = form.querySelector("[data-passkey-status]");
  status.textContent = message;
  status.hidden = false;
}
if (window.PublicKeyCredential && navigator.credentials) {
  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var body = new URLSearchParams(new FormData(form));
      body.delete("credential");
      button.disabled = true;
      fetch(form.getAttribute("data-passkey-options"), { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (json) {
            if (!response.ok) throw new Error(json.title || "The passkey could not be started.");
            return json;
          });
        })
        .then(function (options) {
          return form.getAttribute("data-passkey") === "register"
            ? navigator.credentials.create({ publicKey: creationOptions(options) })
            : navigator.credentials.get({ publicKey: requestOptions(options) });
        })
        .then(function (credential) {
          form.querySelector("input[name=credential]").value = JSON.stringify(credentialJson(credential));
          HTMLFormElement.prototype.submit.call(form);
        })
        .catch(function (error) {
          button.disabled = false;
          var closed = error && (error.name === "NotAllowedError" || error.name === "AbortError");
          var taken = error && error.name === "InvalidStateError";
          showProblem(form, closed ? "The passkey prompt was closed or timed out. Try again when you are ready."
            : taken ? "This device already holds one of your passkeys." : (error && error.message) || "The passkey could not be used.");
        });
    });
  });
}
`;
