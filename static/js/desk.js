// The desk's badge scanner: the camera reads the QR code on a badge, the server says whose it is,
// and the delegate's card replaces the one on the page. The browser's BarcodeDetector reads the
// code where it exists; elsewhere jsQR (vendored, loaded only then) does. Without a camera, or
// without permission to use it, the search box works as before.
(function () {
  "use strict";

  var root = document.getElementById("desk-scanner");
  var textElement = document.getElementById("desk-scan-text");
  if (!root || !textElement) {
    return;
  }
  var text = JSON.parse(textElement.textContent);
  var startButton = root.querySelector("[data-scan-start]");
  var stopButton = root.querySelector("[data-scan-stop]");
  var video = root.querySelector("[data-scan-video]");
  var statusLine = root.querySelector("[data-scan-status]");
  var cardSlot = document.getElementById("desk-card-slot");
  var csrfToken = root.querySelector("[name=csrfmiddlewaretoken]").value;
  // The camera is switched back on after the page reloads (a check-in is a form post), so that
  // staff do not press "Scan" for every delegate. Permission, once given, is not asked again.
  var STORAGE_KEY = "desk-camera-on";
  // The same badge stays in front of the camera for a while: read it once.
  var SAME_CODE_PAUSE_MS = 4000;

  var stream = null;
  var readCode = null;
  var lastCode = null;
  var lastCodeAt = 0;
  var busy = false;

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  startButton.hidden = false;

  function say(message, kind) {
    statusLine.textContent = message || "";
    statusLine.className = "desk-scan-status mt-2" + (kind ? " desk-banner desk-banner-" + kind : "");
  }

  function remember(on) {
    try {
      if (on) {
        window.sessionStorage.setItem(STORAGE_KEY, "1");
      } else {
        window.sessionStorage.removeItem(STORAGE_KEY);
      }
    } catch (error) {
      // Storage may be disabled; the camera then just does not come back on by itself.
    }
  }

  function remembered() {
    try {
      return window.sessionStorage.getItem(STORAGE_KEY) === "1";
    } catch (error) {
      return false;
    }
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  // Resolves to a function that takes the video and resolves to the text of a QR code in the
  // current frame, or null.
  function makeReader() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") === -1) {
          return makeJsQRReader();
        }
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function (source) {
          return detector.detect(source).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      }, makeJsQRReader);
    }
    return makeJsQRReader();
  }

  function makeJsQRReader() {
    var ready = window.jsQR ? Promise.resolve() : loadScript(root.dataset.jsqrSrc);
    return ready.then(function () {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function (source) {
        var width = source.videoWidth;
        var height = source.videoHeight;
        if (!width || !height) {
          return Promise.resolve(null);
        }
        canvas.width = width;
        canvas.height = height;
        context.drawImage(source, 0, 0, width, height);
        var image = context.getImageData(0, 0, width, height);
        var code = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(code ? code.data : null);
      };
    });
  }

  function start() {
    say(text.starting);
    startButton.disabled = true;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (mediaStream) {
        stream = mediaStream;
        video.srcObject = stream;
        video.hidden = false;
        return video.play();
      })
      .then(makeReader)
      .then(function (reader) {
        readCode = reader;
        remember(true);
        startButton.hidden = true;
        stopButton.hidden = false;
        say(text.scanning);
        window.requestAnimationFrame(scanFrame);
      })
      .catch(function () {
        stop();
        remember(false);
        say(text.unavailable, "warning");
      })
      .finally(function () {
        startButton.disabled = false;
      });
  }

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    readCode = null;
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  function scanFrame() {
    if (!stream || !readCode) {
      return;
    }
    if (busy || video.readyState < 2) {
      window.requestAnimationFrame(scanFrame);
      return;
    }
    busy = true;
    readCode(video)
      .then(function (code) {
        var now = Date.now();
        if (!code || (code === lastCode && now - lastCodeAt < SAME_CODE_PAUSE_MS)) {
          return null;
        }
        lastCode = code;
        lastCodeAt = now;
        return lookUp(code);
      })
      .catch(function () {
        say(text.failed, "warning");
      })
      .finally(function () {
        busy = false;
        window.requestAnimationFrame(scanFrame);
      });
  }

  function lookUp(code) {
    var payload = { token: code, session: root.dataset.session ? Number(root.dataset.session) : null };
    return fetch(root.dataset.scanUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(payload),
    })
      .then(function (response) {
        return response.json().catch(function () {
          return { found: false, message: text.failed };
        });
      })
      .then(function (result) {
        if (!result.found) {
          say(result.message || text.failed, "danger");
          return;
        }
        // The badge is often still in front of the camera when the page comes back from a
        // check-in: its card, saying "Checked in", must stay rather than turn into a warning.
        var shown = cardSlot.querySelector("[data-reference]");
        if (shown && shown.dataset.reference === result.card.reference) {
          return;
        }
        cardSlot.innerHTML = result.html;
        window.history.replaceState(null, "", result.url);
        say(result.card.name_on_badge, null);
      });
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () {
    stop();
    remember(false);
    say("");
  });
  window.addEventListener("pagehide", function () {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
  });

  if (remembered()) {
    start();
  }
})();
