try { throw new Error('a'); } catch { console.log('no binding'); }
try { throw { msg: 'b', code: 2 }; } catch ({ msg, code }) { console.log(msg, code); }
try { null.x; } catch (e) { console.log(e instanceof TypeError); }
