/* Stand-ins for libQt6Quick.so.6 and libQt6Qml.so.6 in the Linux bundle (issue 16).
 *
 * Qt 6.11's FFmpeg media plugin (plugins/multimedia/libffmpegmediaplugin.so), which plays
 * our videos and sounds, links QtQuick and QML (16 MB with the libraries they pull in) for
 * one feature only: screen capture of a QQuickWindow. `nm -D --undefined-only` lists every
 * QtQuick symbol it uses, and nothing from QtQml:
 *
 *     U QQuickWindow::grabWindow()@Qt_6
 *     U QQuickWindow::staticMetaObject@Qt_6
 *
 * The plugin reaches grabWindow() only after qobject_cast<QQuickWindow *>(window) succeeds.
 * That cast compares the window's meta-object chain with &QQuickWindow::staticMetaObject by
 * address and never reads it, so a zeroed stand-in makes it fail for every window (none is a
 * QQuickWindow: the app has no QML) and grabWindow() is never called; if it ever were, it
 * says so and aborts instead of misbehaving. The app never captures the screen either.
 *
 * Built by packaging/get3w-desktop.spec with the C compiler (gcc/cc) and the version script
 * qtquick_stub.map, once as libQt6Quick.so.6 and once, with -DGET3W_QML_ONLY (no symbols:
 * the plugin only names the library), as libQt6Qml.so.6. tests/packaging checks the plugin
 * still needs no more than these two symbols and that playback works.
 */
#ifndef GET3W_QML_ONLY
#include <stdio.h>
#include <stdlib.h>

/* sizeof(QMetaObject) on 64-bit Qt 6: six pointers. Only its address is used. */
__attribute__((aligned(16))) const unsigned char quick_window_meta_object[48]
    __asm__("_ZN12QQuickWindow16staticMetaObjectE") = {0};

void quick_window_grab_window(void) __asm__("_ZN12QQuickWindow10grabWindowEv");
void quick_window_grab_window(void)
{
    fputs("get3w-desktop: QQuickWindow::grabWindow() called, but the bundle has no QtQuick\n",
          stderr);
    abort();
}
#endif
